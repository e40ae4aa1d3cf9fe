import Foundation

/// Reads the records of a JSONL dataset file: one JSON object per line, blank lines skipped.
public enum JSONLDataset {
    /// Where a record came from, for error messages.
    public struct Location: Sendable, Equatable {
        /// The file's name.
        public let file: String
        /// 1-based line number.
        public let line: Int
    }

    /// Streams every record of `url` to `body`, in file order.
    /// - Parameter format: the record layout, or nil to detect it from the first record's keys.
    /// - Returns: the format used and the number of records.
    /// - Throws: `DatasetError` naming the file, line and key of the first bad record; `.empty` for a
    ///   file without records.
    @discardableResult
    public static func forEachRecord(
        in url: URL, format: DatasetFormat?, _ body: (DatasetRecord, Location) throws -> Void
    ) throws -> (format: DatasetFormat, records: Int) {
        let file = url.lastPathComponent
        var resolved = format
        var count = 0
        try JSONLinesReader.forEachLine(in: url) { line, bytes in
            let object = try parseObject(bytes, file: file, line: line)
            let lineFormat = try resolved ?? DatasetFormat.detect(keys: Set(object.keys), file: file, line: line)
            resolved = lineFormat
            let record = try DatasetRecord(object: object, format: lineFormat, file: file, line: line)
            count += 1
            try body(record, Location(file: file, line: line))
        }
        guard let resolved, count > 0 else { throw DatasetError.empty(file: file) }
        return (resolved, count)
    }

    /// Reads every record of `url` into memory (for small files and tools; training streams instead).
    public static func records(in url: URL, format: DatasetFormat?) throws -> (format: DatasetFormat, records: [DatasetRecord]) {
        var records: [DatasetRecord] = []
        let result = try forEachRecord(in: url, format: format) { record, _ in records.append(record) }
        return (result.format, records)
    }

    private static func parseObject(_ bytes: ArraySlice<UInt8>, file: String, line: Int) throws -> [String: Any] {
        // JSONSerialization would guess UTF-16 or UTF-32 from zero bytes and read text the data scan
        // (which reads UTF-8) never saw; only UTF-8 without NUL bytes is a record.
        guard !bytes.contains(0), String(validating: bytes, as: UTF8.self) != nil else {
            throw DatasetError.notJSON(file: file, line: line, reason: "not UTF-8 text (UTF-16 or binary?); re-encode the file as UTF-8")
        }
        let value: Any
        do {
            value = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw DatasetError.notJSON(file: file, line: line, reason: Self.reason(error))
        }
        guard let object = value as? [String: Any] else {
            throw DatasetError.notAnObject(file: file, line: line, found: Self.kind(of: value))
        }
        return object
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? nsError.localizedDescription
    }

    private static func kind(of value: Any) -> String {
        switch value {
        case is [Any]: return "an array"
        case is String: return "a string"
        case is NSNull: return "null"
        default: return "a number or boolean"
        }
    }
}
