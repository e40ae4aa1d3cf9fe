import Foundation
import Testing
@testable import QuenchGovernance
import QuenchTestSupport

/// Redacted copies: nothing left to find, JSON still valid, pseudonyms consistent, originals untouched.
@Suite struct RedactorTests {
    let lines = [
        #"{"text": "Mail jane.roe@example.com or JANE.ROE@example.com, card 4111 1111 1111 1111.", "id": 7}"#,
        #"{"prompt": "key\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----", "completion": "ok \"quoted\""}"#,
        #"{"messages": [{"role": "user", "content": "call +44 20 7946 0958, ip 10.1.2.3"}]}"#,
        "plain text line with hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567",
        #"{"text": "nothing here"}"#,
    ]

    @Test func redactionLeavesNoFindingAndValidJSON() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.file("in.jsonl", lines: lines)
        let original = try Data(contentsOf: input)
        let output = directory.url.appendingPathComponent("out.jsonl")
        let report = try Redactor().redact(input: input, output: output)
        #expect(report.records == 5 && report.changedRecords == 4)
        #expect(report.replaced == ["email": 2, "payment_card": 1, "private_key": 1, "phone": 1, "ipv4": 1, "api_token": 1])
        #expect(try Data(contentsOf: input) == original, "the original is never modified")
        #expect(try DataScanner().scan(files: [output]).totalFindings == 0)
        let redacted = try directory.read(output).split(separator: "\n").map(String.init)
        #expect(redacted.count == 5)
        #expect(redacted[0] == #"{"text": "Mail <EMAIL> or <EMAIL>, card <PAYMENT_CARD>.", "id": 7}"#)
        #expect(redacted[3] == "plain text line with <API_TOKEN>")
        #expect(redacted[4] == lines[4])
        for line in redacted where line.hasPrefix("{") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "\(line)")
        }
        let prompt = try #require(try JSONSerialization.jsonObject(with: Data(redacted[1].utf8)) as? [String: String])
        #expect(prompt["prompt"] == "key\n<PRIVATE_KEY>" && prompt["completion"] == #"ok "quoted""#)
    }

    @Test func pseudonymsAreConsistentAcrossFiles() throws {
        let directory = try TemporaryDirectory()
        let keyFile = try directory.file("pseudonym.key", bytes: Data((0..<32).map { UInt8($0 * 7 % 256) }), permissions: 0o600)
        let key = try PseudonymKey.load(from: keyFile)
        let first = try directory.file("a.jsonl", lines: [#"{"text": "from jane.roe@example.com"}"#])
        let second = try directory.file("b.jsonl", lines: [#"{"text": "to JANE.ROE@example.com and bob@example.com"}"#])
        let redactor = Redactor(style: .pseudonym(key))
        let outputs = try [first, second].map { input in
            let output = directory.url.appendingPathComponent("redacted-" + input.lastPathComponent)
            _ = try redactor.redact(input: input, output: output)
            return try directory.read(output)
        }
        let pattern = /<EMAIL_[0-9a-f]{12}>/
        let jane = try #require(outputs[0].firstMatch(of: pattern)).output
        let inSecond = outputs[1].matches(of: pattern).map { String($0.output) }
        #expect(inSecond.count == 2 && inSecond[0] == String(jane) && inSecond[1] != String(jane))
        let otherKey = try PseudonymKey(bytes: Data(repeating: 1, count: 32))
        let value = Array("jane.roe@example.com".utf8)
        let other = value.withUnsafeBytes { otherKey.pseudonym(for: $0, kind: .email) }
        #expect(other != String(jane), "another key gives other pseudonyms")
    }

    @Test func keyFilesMustBePrivateAndLongEnough() throws {
        let directory = try TemporaryDirectory()
        let open = try directory.file("open.key", bytes: Data(repeating: 3, count: 32), permissions: 0o644)
        #expect(throws: GovernanceError.keyFileTooOpen(path: open.path, mode: "644")) { try PseudonymKey.load(from: open) }
        let short = try directory.file("short.key", bytes: Data(repeating: 3, count: 8), permissions: 0o600)
        #expect(throws: GovernanceError.keyTooShort(path: short.path, bytes: 8, minimum: 16)) { try PseudonymKey.load(from: short) }
    }

    @Test func refusesToOverwriteTheInput() throws {
        let directory = try TemporaryDirectory()
        let input = try directory.file("in.jsonl", lines: lines)
        #expect(throws: GovernanceError.outputIsInput(path: input.path)) { try Redactor().redact(input: input, output: input) }
    }
}
