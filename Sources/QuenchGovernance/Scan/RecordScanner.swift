/// The findings in one string field of a record.
struct FieldScan {
    /// The field's dotted path (`messages[1].content`), or "" when the line is not JSON and was read
    /// as plain text.
    let field: String
    /// Where the field's content sits in the line; nil for a plain-text line (the whole line).
    let span: JSONStringSpan?
    /// The decoded value when the JSON content holds escapes (the matches' offsets refer to it);
    /// nil when the content's bytes are the value.
    let decoded: [UInt8]?
    /// The matches, in order, as byte ranges in the value.
    let matches: [PIIMatch]
}

/// Scans one record (a JSONL line): every string value, after decoding its escapes, so an address
/// split by `\n` or hidden as `\u0040` is still found. A line that is not JSON is scanned as text.
struct RecordScanner {
    let detector: PIIDetector
    private var scratch: [UInt8] = []
    private var matches: [PIIMatch] = []

    init(detector: PIIDetector) { self.detector = detector }

    /// The fields of `line` holding findings (empty for most lines, without allocating).
    mutating func scan(_ line: UnsafeRawBufferPointer) -> [FieldScan] {
        var fields: [FieldScan] = []
        let detector = self.detector
        let isJSON = JSONStringWalker.walk(line) { span, path in
            matches.removeAll(keepingCapacity: true)
            let content = UnsafeRawBufferPointer(rebasing: line[span.start..<span.end])
            if span.escaped {
                JSONString.decode(content, into: &scratch)
                scratch.withUnsafeBytes { detector.scan($0, into: &matches) }
            } else {
                detector.scan(content, into: &matches)
            }
            guard !matches.isEmpty else { return }
            fields.append(FieldScan(field: JSONStringWalker.fieldName(path, in: line), span: span,
                                    decoded: span.escaped ? scratch : nil, matches: matches))
        }
        guard !isJSON else { return fields }
        matches.removeAll(keepingCapacity: true)
        detector.scan(line, into: &matches)
        return matches.isEmpty ? [] : [FieldScan(field: "", span: nil, decoded: nil, matches: matches)]
    }
}

extension FieldScan {
    /// Calls `body` with the bytes the matches' offsets refer to.
    func withValue<Result>(in line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        if let decoded { return try decoded.withUnsafeBytes(body) }
        guard let span else { return try body(line) }
        return try body(UnsafeRawBufferPointer(rebasing: line[span.start..<span.end]))
    }
}
