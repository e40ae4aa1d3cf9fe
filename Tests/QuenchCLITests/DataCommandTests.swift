import Foundation
import Testing
import QuenchTestSupport

/// `quench data scan|redact|check|erase` and `quench gc`, run as a user runs them.
@Suite struct DataCommandTests {
    let cli = CommandLineTests()

    func write(_ lines: [String], to url: URL) throws {
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    @Test func scanStopsOnAForbiddenFindingAndRedactionClearsIt() throws {
        let directory = try TemporaryDirectory.create("data-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = directory.appendingPathComponent("train.jsonl")
        try write([#"{"text": "my SSN is 536-90-4399, mail jane.roe@example.com"}"#, #"{"text": "fine"}"#], to: train)
        let scan = try cli.quench("data", "scan", train.path)
        #expect(scan.status == 1)
        #expect(scan.output.contains("ssn: 1 (fail)") && scan.output.contains("FAIL: 1 findings"))
        #expect(!scan.output.contains("536-90-4399") && !scan.output.contains("jane.roe@example.com"))
        let json = try cli.quench("data", "scan", train.path, "--json")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(report["passed"] as? Bool == false && report["blockingCount"] as? Int == 1)

        let redacted = directory.appendingPathComponent("train.redacted.jsonl")
        let redact = try cli.quench("data", "redact", train.path, "--out", redacted.path)
        #expect(redact.status == 0 && redact.output.contains("1 of 2 records changed"), "\(redact.output)")
        let rescan = try cli.quench("data", "scan", redacted.path)
        #expect(rescan.status == 0 && rescan.output.contains("no findings"), "\(rescan.output)")
        #expect(try cli.quench("data", "redact", train.path, "--out", train.path).status != 0)
    }

    @Test func checkPrintsTheFingerprintAndEraseSaysNoRegistryIsConfigured() throws {
        let directory = try TemporaryDirectory.create("data-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let train = directory.appendingPathComponent("train.jsonl")
        try write([#"{"prompt": "a", "completion": "b"}"#, #"{"prompt": "c", "completion": "Jane Roe"}"#], to: train)
        let check = try cli.quench("data", "check", train.path, "--json")
        #expect(check.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(check.output.utf8)) as? [String: Any])
        let fingerprint = try #require(report["fingerprint"] as? [String: Any])
        #expect(fingerprint["records"] as? Int == 2 && (fingerprint["sha256"] as? String)?.count == 64)

        let out = directory.appendingPathComponent("train.v2.jsonl")
        let erase = try cli.quench("data", "erase", "--match", "jane roe", "--dataset", train.path, "--out", out.path)
        #expect(erase.status == 0 && erase.output.contains("removed 1 records") && erase.output.contains("no registry is configured"))
        #expect(erase.output.contains("old fingerprint: sha256:") && !erase.output.lowercased().contains("jane"))
    }

    @Test func gcDryRunListsOldRunsWithoutRemovingThem() throws {
        let directory = try TemporaryDirectory.create("data-cli")
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = directory.appendingPathComponent("runs/old-run")
        try FileManager.default.createDirectory(at: run, withIntermediateDirectories: true)
        let metrics = run.appendingPathComponent("metrics.jsonl")
        try Data("{}\n".utf8).write(to: metrics)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -90 * 86_400)], ofItemAtPath: metrics.path)
        let policy = directory.appendingPathComponent("governance.yaml")
        try write(["retention:", "  runs_days: 30", "  runs_directory: \(directory.path)/runs",
                   "  logs_directory: \(directory.path)/logs"], to: policy)
        let result = try cli.quench("gc", "--policy", policy.path, "--dry-run", "--json")
        #expect(result.status == 0, "\(result.output)")
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let removed = try #require(plan["removed"] as? [[String: Any]])
        #expect(removed.count == 1 && (removed.first?["path"] as? String)?.hasSuffix("old-run") == true)
        #expect(FileManager.default.fileExists(atPath: metrics.path))
    }
}
