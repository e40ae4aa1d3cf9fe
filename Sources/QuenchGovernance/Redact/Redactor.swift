import Foundation
import QuenchFiles

/// How a redaction replaces a finding.
public enum RedactionStyle: Sendable {
    /// A typed placeholder: `<EMAIL>`.
    case placeholder
    /// A keyed pseudonym, the same for the same value in every file: `<EMAIL_3f9a1c0b2d4e>`.
    case pseudonym(PseudonymKey)
}

/// What a redaction did.
public struct RedactionReport: Codable, Sendable, Equatable {
    /// The input file (never modified).
    public let input: String
    /// The redacted copy.
    public let output: String
    /// Non-blank lines read.
    public let records: Int
    /// Lines that changed.
    public let changedRecords: Int
    /// Replacements per kind name.
    public let replaced: [String: Int]
}

/// Writes redacted copies of datasets: every finding of the chosen kinds replaced, the rest of each
/// record byte for byte as it was (JSON lines stay valid JSON; escaped strings are re-escaped).
public struct Redactor: Sendable {
    /// The kinds replaced.
    public let kinds: Set<PIIKind>
    /// Placeholders or pseudonyms.
    public let style: RedactionStyle

    /// A redactor replacing `kinds` in `style`.
    public init(kinds: Set<PIIKind> = Set(PIIKind.allCases), style: RedactionStyle = .placeholder) {
        self.kinds = kinds
        self.style = style
    }

    /// Writes a redacted copy of `input` to `output` (atomically); `input` is never modified.
    /// - Throws: `GovernanceError.outputIsInput` when both name the same file; read and write errors.
    public func redact(input: URL, output: URL) throws -> RedactionReport {
        let source = input.standardizedFileURL.resolvingSymlinksInPath()
        let destination = output.standardizedFileURL.resolvingSymlinksInPath()
        guard source.path != destination.path else { throw GovernanceError.outputIsInput(path: output.path) }
        do {
            let writer = try AtomicFile.Writer(destination: output)
            var scanner = RecordScanner(detector: PIIDetector(kinds: kinds))
            var records = 0
            var changed = 0
            var replaced: [String: Int] = [:]
            var rewritten: [UInt8] = []
            try LineReader.forEachLine(in: input) { _, line in
                if !isBlank(line) { records += 1 }
                let fields = scanner.scan(line).fields
                if fields.isEmpty {
                    try writer.write(line)
                } else {
                    changed += 1
                    for field in fields {
                        for match in field.matches { replaced[match.kind.rawValue, default: 0] += 1 }
                    }
                    rewritten.removeAll(keepingCapacity: true)
                    rewrite(line, fields: fields, into: &rewritten)
                    try writer.write(rewritten)
                }
                try writer.write([0x0A])
            }
            try writer.commit()
            return RedactionReport(input: input.path, output: output.path, records: records, changedRecords: changed,
                                   replaced: replaced)
        } catch let failure as AtomicFile.Failure {
            throw GovernanceError(failure)
        }
    }

    /// `text` with every finding of the chosen kinds replaced.
    public func redact(_ text: String) -> String {
        var text = text
        return text.withUTF8 { buffer in
            let bytes = UnsafeRawBufferPointer(buffer)
            var matches: [PIIMatch] = []
            PIIDetector(kinds: kinds).scan(bytes, into: &matches)
            guard !matches.isEmpty else { return String(decoding: bytes, as: UTF8.self) }
            var output: [UInt8] = []
            replace(matches, in: bytes, into: &output)
            return String(decoding: output, as: UTF8.self)
        }
    }

    private func rewrite(_ line: UnsafeRawBufferPointer, fields: [FieldScan], into output: inout [UInt8]) {
        var cursor = 0
        for field in fields {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[cursor..<field.span.start]))
            field.withValue(in: line) { value in
                if field.isJSONString, field.decoded != nil {
                    var plain: [UInt8] = []
                    replace(field.matches, in: value, into: &plain)
                    JSONString.encode(plain, into: &output)
                } else {
                    replace(field.matches, in: value, into: &output)
                }
            }
            cursor = field.span.end
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: line[cursor...]))
    }

    /// Appends `value` with each match replaced (the replacements are ASCII without quotes or
    /// backslashes, so they are valid inside JSON strings as they are).
    private func replace(_ matches: [PIIMatch], in value: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        var cursor = 0
        for match in matches {
            output.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[cursor..<match.start]))
            switch style {
            case .placeholder:
                output.append(contentsOf: match.kind.placeholder.utf8)
            case .pseudonym(let key):
                let found = UnsafeRawBufferPointer(rebasing: value[match.start..<match.end])
                output.append(contentsOf: key.pseudonym(for: found, kind: match.kind).utf8)
            }
            cursor = match.end
        }
        output.append(contentsOf: UnsafeRawBufferPointer(rebasing: value[cursor...]))
    }
}
