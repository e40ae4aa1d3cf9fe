import Foundation
import Testing
@testable import QuenchGovernance
import QuenchTestSupport

/// Records built to slip past the scanner: nested past the walker's depth, encoded as UTF-16, or
/// spelled with zero-width and fullwidth characters. Each is found (or refused), and redacted.
@Suite struct ScannerBypassTests {
    /// A record with `depth` nested arrays between an e-mail written with a `\u0040` escape and a plain one.
    func deepRecord(depth: Int) -> String {
        let nested = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        return #"{"text": "write to jane\u0040example.com", "x": "# + nested + #", "after": "bob@example.org"}"#
    }

    @Test func aDeeplyNestedRecordStillHasItsEscapedAddressFound() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.file("deep.jsonl", lines: [deepRecord(depth: 65)])
        let report = try DataScanner().scan(files: [file])
        #expect(report.counts == ["email": 2])
        #expect(report.findings.map(\.field) == ["text", "after"])
        #expect(report.unreadableCount == 0)
        #expect((try? JSONSerialization.jsonObject(with: Data(deepRecord(depth: 65).utf8))) != nil,
                "the trainer reads this record, so the scanner must too")
    }

    @Test func aRecordTooDeepToWalkFailsTheScanWithItsLineAndKeepsEarlierFields() throws {
        let directory = try TemporaryDirectory()
        let line = deepRecord(depth: JSONStringWalker.maximumDepth + 5)
        let file = try directory.file("deep.jsonl", lines: [#"{"text": "fine"}"#, line])
        let report = try DataScanner().scan(files: [file])
        #expect(!report.passed)
        #expect(report.unreadable.map(\.line) == [2] && report.unreadable.first?.reason == .tooDeep)
        #expect(report.findings.map(\.field) == ["text", "(line)"], "the walked field keeps its name, the rest is read as text")
        #expect(report.rendered().contains("deep.jsonl:2 byte"))
    }

    @Test func theWalkerGoesAsDeepAsTheTrainersJSONReader() {
        func nested(_ depth: Int) -> String { String(repeating: "[", count: depth) + "1" + String(repeating: "]", count: depth) }
        func walks(_ text: String) -> JSONWalkOutcome {
            var text = text
            return text.withUTF8 { JSONStringWalker.walk(UnsafeRawBufferPointer($0)) { _, _ in } }
        }
        let limit = JSONStringWalker.maximumDepth
        #expect(walks(nested(limit)) == .complete)
        #expect((try? JSONSerialization.jsonObject(with: Data(nested(limit).utf8))) != nil)
        #expect(walks(nested(limit + 1)) == .tooDeep(offset: limit))
        #expect((try? JSONSerialization.jsonObject(with: Data(nested(limit + 1).utf8))) == nil)
    }

    @Test func zeroWidthAndFullwidthSpellingsAreFoundAndRedacted() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.file("hidden.jsonl", lines: [
            "{\"text\": \"mail jane\u{200B}.roe@example.com today\"}",
            "{\"text\": \"mail jane\u{FF20}example.com today\"}",
            #"{"text": "mail jane\u00ADroe\u0040example.com"}"#,
            "{\"text\": \"card \u{FF14}\u{FF11}\u{FF11}\u{FF11} 1111 1111 1111\"}",
        ])
        let report = try DataScanner().scan(files: [input])
        #expect(report.counts == ["email": 3, "payment_card": 1])
        #expect(report.findings.map(\.line) == [1, 2, 3, 4])

        let output = directory.url.appendingPathComponent("out.jsonl")
        let redaction = try Redactor().redact(input: input, output: output)
        #expect(redaction.changedRecords == 4)
        #expect(try DataScanner().scan(files: [output]).totalFindings == 0)
        let texts = try directory.read(output).split(separator: "\n").map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])?["text"]
        }
        #expect(texts == ["mail <EMAIL> today", "mail <EMAIL> today", "mail <EMAIL>", "card <PAYMENT_CARD>"])
    }

    @Test func unparseableAndUTF16LinesAreReportedNotCountedAsRecords() throws {
        let directory = try TemporaryDirectory()
        let encoded = try #require((#"{"text": "jane@example.com"}"# + "\n").data(using: .utf16LittleEndian))
        let utf16 = try directory.file("utf16.jsonl", bytes: Data([0xFF, 0xFE]) + encoded)
        let broken = try directory.file("broken.jsonl", lines: [#"{"text": "ok"}"#, #"{"text": "unterminated"#, "{\"text\": \"x\u{0}\"}"])
        let report = try DataScanner().scan(files: [utf16, broken])
        #expect(!report.passed)
        #expect(report.files.map(\.records) == [0, 1])
        #expect(report.unreadable.first.map { "\($0.file):\($0.line):\($0.reason.rawValue)" } == "utf16.jsonl:1:invalid_utf8")
        #expect(report.unreadable.filter { $0.file == "broken.jsonl" }.map { "\($0.line):\($0.reason.rawValue)" }
                == ["2:not_json", "3:not_json"])
        #expect(report.rendered().contains("lines cannot be read as JSON records"))
    }
}
