/// The findings in one string field of a record, or in the part of a line read as plain text.
struct FieldScan {
    /// The field's dotted path (`messages[1].content`), or "" for text read outside JSON.
    let field: String
    /// Where the field's content (or the text) sits in the line.
    let span: JSONStringSpan
    /// The value the matches' offsets refer to when it differs from the bytes in the line (escapes
    /// decoded, text normalised); nil when the line's bytes are the value.
    let decoded: [UInt8]?
    /// True for a JSON string's content (a rewrite re-escapes it), false for plain text.
    let isJSONString: Bool
    /// The matches, in order, as byte ranges in the value.
    let matches: [PIIMatch]
}

/// What scanning one line found.
struct RecordScan {
    /// The fields (and text) holding findings, in line order.
    var fields: [FieldScan] = []
    /// Why the line is not one JSON document the scanner could walk field by field; nil when it is.
    var unreadable: (reason: UnreadableLine.Reason, offset: Int)?
}

/// Scans one record (a JSONL line): every string value, after decoding its escapes and normalising
/// it (NFKC, format characters removed), so an address split by `\n`, hidden as `\u0040` or written
/// with a zero-width space or fullwidth `＠` is still found. What cannot be walked as JSON (invalid
/// UTF-8, not JSON, nested too deep) is scanned as text and reported as unreadable.
struct RecordScanner {
    let detector: PIIDetector
    private var scratch: [UInt8] = []
    private var matches: [PIIMatch] = []

    init(detector: PIIDetector) { self.detector = detector }

    /// The fields of `line` holding findings (empty for most lines, without allocating).
    mutating func scan(_ line: UnsafeRawBufferPointer) -> RecordScan {
        var result = RecordScan()
        let detector = self.detector
        if let offset = TextNormalizer.firstInvalidUTF8(line) {
            result.unreadable = (.invalidUTF8, offset)
            scanText(line, from: 0, into: &result.fields)
            return result
        }
        var walkedThrough = 0
        let outcome = JSONStringWalker.walk(line) { span, path in
            walkedThrough = span.end
            let content = UnsafeRawBufferPointer(rebasing: line[span.start..<span.end])
            matches.removeAll(keepingCapacity: true)
            let normalized: [UInt8]?
            if span.escaped {
                JSONString.decode(content, into: &scratch)
                normalized = scratch.withUnsafeBytes { TextNormalizer.normalized($0) }
                if normalized == nil { scratch.withUnsafeBytes { detector.scan($0, into: &matches) } }
            } else {
                normalized = TextNormalizer.normalized(content)
                if normalized == nil { detector.scan(content, into: &matches) }
            }
            normalized?.withUnsafeBytes { detector.scan($0, into: &matches) }
            guard !matches.isEmpty else { return }
            result.fields.append(FieldScan(field: JSONStringWalker.fieldName(path, in: line), span: span,
                                           decoded: normalized ?? (span.escaped ? scratch : nil),
                                           isJSONString: true, matches: matches))
        }
        switch outcome {
        case .complete: return result
        case .malformed(let offset): result.unreadable = (.notJSON, offset)
        case .tooDeep(let offset): result.unreadable = (.tooDeep, offset)
        }
        scanText(line, from: walkedThrough, into: &result.fields)
        return result
    }

    /// Scans `line` from `start` to its end as plain text (normalised), the part no walk reached.
    private mutating func scanText(_ line: UnsafeRawBufferPointer, from start: Int, into fields: inout [FieldScan]) {
        let detector = self.detector
        let text = UnsafeRawBufferPointer(rebasing: line[start...])
        let value = TextNormalizer.normalized(text)
        matches.removeAll(keepingCapacity: true)
        if let value { value.withUnsafeBytes { detector.scan($0, into: &matches) } } else { detector.scan(text, into: &matches) }
        guard !matches.isEmpty else { return }
        fields.append(FieldScan(field: "", span: JSONStringSpan(start: start, end: line.count, escaped: false),
                                decoded: value, isJSONString: false, matches: matches))
    }
}

extension FieldScan {
    /// Calls `body` with the bytes the matches' offsets refer to.
    func withValue<Result>(in line: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        if let decoded { return try decoded.withUnsafeBytes(body) }
        return try body(UnsafeRawBufferPointer(rebasing: line[span.start..<span.end]))
    }
}
