/// One finding in a dataset, as reports show it: where it is and a masked excerpt, never the value.
public struct PIIFinding: Codable, Sendable, Equatable {
    /// The file's name.
    public let file: String
    /// 1-based line (record) number.
    public let line: Int
    /// The JSON field's dotted path, e.g. `messages[1].content`; "(line)" for a line that is not JSON.
    public let field: String
    /// Byte offset of the finding in the field's (decoded, UTF-8) value.
    public let offset: Int
    /// Length of the finding in bytes.
    public let length: Int
    /// What was found.
    public let kind: PIIKind
    /// What the policy does with it.
    public let action: PolicyAction
    /// The finding with most of it masked.
    public let excerpt: String

    /// Creates a finding from its parts.
    public init(file: String, line: Int, field: String, offset: Int, length: Int, kind: PIIKind,
                action: PolicyAction, excerpt: String) {
        self.file = file
        self.line = line
        self.field = field
        self.offset = offset
        self.length = length
        self.kind = kind
        self.action = action
        self.excerpt = excerpt
    }

    /// `train.jsonl:12 messages[1].content@40 email (redact) jo************om`.
    public var summary: String {
        "\(file):\(line) \(field)@\(offset) \(kind.rawValue) (\(action.rawValue)) \(excerpt)"
    }
}
