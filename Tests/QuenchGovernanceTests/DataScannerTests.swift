import Foundation
import Testing
@testable import QuenchGovernance
import QuenchConfig
import QuenchTestSupport

/// Scanning dataset files under a policy, and the policy file itself.
@Suite struct DataScannerTests {
    @Test func forbiddenFindingFailsTheScanWithMaskedFieldsAndOffsets() throws {
        let directory = try TemporaryDirectory()
        let train = try directory.file("train.jsonl", lines: [
            #"{"prompt": "Who are you?", "completion": "I am a helpful assistant."}"#,
            #"{"prompt": "Write to me", "completion": "at jane.roe@example.com or call 415-555-2671"}"#,
            "",
            #"{"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "SSN\n123-45-6789"}]}"#,
            "not json at all, token AKIAIOSFODNN7EXAMPLE",
        ])
        let report = try DataScanner(policy: .standard).scan(files: [train])
        #expect(!report.passed)
        #expect(report.counts == ["email": 1, "phone": 1, "ssn": 1, "aws_access_key": 1])
        #expect(report.files.first?.records == 3)
        #expect(report.files.first?.unreadable == 1)
        #expect(report.unreadable == [UnreadableLine(file: "train.jsonl", line: 5, offset: 0, reason: .notJSON)])
        #expect(report.blockingCount == 2)
        let ssn = try #require(report.blocking.first { $0.kind == .ssn })
        #expect(ssn.line == 4 && ssn.field == "messages[1].content" && ssn.offset == 4 && ssn.length == 11)
        let email = try #require(report.findings.first { $0.kind == .email })
        #expect(email.line == 2 && email.field == "completion" && email.offset == 3 && email.action == .redact)
        let aws = try #require(report.findings.first { $0.kind == .awsAccessKey })
        #expect(aws.field == "(line)" && aws.line == 5)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        for secret in ["jane.roe@example.com", "123-45-6789", "AKIAIOSFODNN7EXAMPLE", "415-555-2671"] {
            #expect(!json.contains(secret) && !report.rendered().contains(secret))
        }
        #expect(report.rendered().contains("FAIL: 2 findings"))
    }

    @Test func escapedJSONCannotHideAFinding() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.file("escaped.jsonl", lines: [#"{"text": "mail jane\u0040example.com\nnow"}"#])
        let report = try DataScanner().scan(files: [file])
        #expect(report.counts == ["email": 1])
    }

    @Test func allowedAndRedactedKindsPass() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.file("ok.jsonl", lines: [#"{"text": "server 10.0.0.1, mail a.b@example.org"}"#])
        let report = try DataScanner(policy: .standard).scan(files: [file])
        #expect(report.passed && report.totalFindings == 2 && report.actions["ipv4"] == .allow)
    }

    @Test func policyFileSetsActionsAndRejectsUnknownNames() throws {
        let policy = try GovernancePolicy.parse(yaml: """
            pii:
              default: redact
              kinds:
                ssn: fail
                ipv4: allow
            data_checks:
              max_record_bytes: 2048
            retention:
              runs_days: 7
            """, file: "governance.yaml")
        #expect(policy.action(for: .ssn) == .fail && policy.action(for: .email) == .redact && policy.action(for: .ipv4) == .allow)
        #expect(policy.checks.maximumRecordBytes == 2048 && policy.retention.runsDays == 7 && policy.retention.logsDays == 30)
        #expect(throws: ConfigFileError.invalid(file: "g.yaml", problems: [
            ConfigProblem(file: "g.yaml", line: 3, column: 5, key: "pii.kinds.passport",
                          kind: .unknownKey(suggestion: nil, known: PIIKind.knownNames)),
        ])) {
            try GovernancePolicy.parse(yaml: "pii:\n  kinds:\n    passport: fail\n", file: "g.yaml")
        }
        #expect(throws: ConfigFileError.invalid(file: "g.yaml", problems: [
            ConfigProblem(file: "g.yaml", line: 2, column: 12, key: "pii.default",
                          kind: .wrongType(expected: "one of 'fail', 'redact', 'allow'", found: "'block'")),
        ])) {
            try GovernancePolicy.parse(yaml: "pii:\n  default: block\n", file: "g.yaml")
        }
        #expect(throws: ConfigFileError.invalid(file: "g.yaml", problems: [
            ConfigProblem(file: "g.yaml", line: 2, column: 3, key: "retention.run_days",
                          kind: .unknownKey(suggestion: "runs_days", known: ["runs_days", "logs_days", "runs_directory",
                                                                             "logs_directory"])),
        ])) {
            try GovernancePolicy.parse(yaml: "retention:\n  run_days: 3\n", file: "g.yaml")
        }
    }

    @Test func theShippedPolicyLoads() throws {
        let policy = try GovernancePolicy.load(contentsOf: SharedFixtures.repository.appendingPathComponent("configs/governance.yaml"))
        #expect(policy.action(for: .apiToken) == .fail)
    }
}
