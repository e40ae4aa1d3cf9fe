/// A line of a dataset that could not be read as one JSON record field by field. A finding in it could
/// hide from the scanner, so a scan with one fails; the training reader would refuse the line as well.
public struct UnreadableLine: Codable, Sendable, Equatable {
    /// Why the line could not be read.
    public enum Reason: String, Codable, Sendable {
        /// Not UTF-8 (UTF-16 with or without a byte-order mark, Latin-1, binary).
        case invalidUTF8 = "invalid_utf8"
        /// Not one well-formed JSON value.
        case notJSON = "not_json"
        /// Arrays and objects nested deeper than a record can be walked.
        case tooDeep = "too_deep"
    }

    /// The file's name.
    public let file: String
    /// 1-based line number.
    public let line: Int
    /// Byte offset in the line where reading stopped.
    public let offset: Int
    /// Why the line could not be read.
    public let reason: Reason

    /// Creates an entry from its parts.
    public init(file: String, line: Int, offset: Int, reason: Reason) {
        self.file = file
        self.line = line
        self.offset = offset
        self.reason = reason
    }

    /// `train.jsonl:12 byte 0: not valid UTF-8 …`.
    public var summary: String {
        let detail: String
        switch reason {
        case .invalidUTF8: detail = "not valid UTF-8 (UTF-16 or another encoding?); re-encode the file as UTF-8"
        case .notJSON: detail = "not valid JSON; each line must hold one JSON object"
        case .tooDeep: detail = "JSON nested deeper than \(JSONStringWalker.maximumDepth) levels; flatten the record"
        }
        return "\(file):\(line) byte \(offset): \(detail)"
    }
}
