import Foundation
import Testing
@testable import QuenchGovernance
import QuenchTestSupport

/// The compliance report built from the runner's facts, and its two files.
@Suite struct ComplianceReportTests {
    func filledFacts() throws -> ComplianceFacts {
        var facts = ComplianceFacts(runID: "run-20250101-abc")
        facts.source = .init(repository: "HuggingFaceTB/SmolLM2-135M-Instruct", commit: "12fd25f7",
                             files: ["model.safetensors": String(repeating: "a", count: 64)], verified: true)
        facts.loading = .init(formats: ["safetensors"], pickleLoaded: false, remoteCodeLoaded: false)
        var scan = DataScanReport()
        scan.counts = ["email": 3]
        scan.actions = ["email": .redact, "ssn": .fail]
        scan.totalFindings = 3
        facts.dataScan = scan
        facts.datasetChecks = [DatasetCheckReport(file: "train.jsonl")]
        facts.datasetChecks?[0].records = 10
        facts.datasetChecks?[0].lines = 10
        facts.validationOverlap = 0
        facts.fingerprints = ["train": CanonicalFingerprint(sha256: String(repeating: "b", count: 64), records: 10, format: .text)]
        facts.training = .init(configHash: "c0ffee", settings: ["method": "lora", "hub_token": "hf_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234567"])
        facts.gate = .init(passed: true, metrics: ["validation loss": "1.91 <= 2.5"])
        facts.signature = .init(signed: true, verified: true, signer: "ops@example.com", digest: "sha256:dd")
        facts.registry = .init(model: "smollm2-support", version: "3", state: "candidate")
        return facts
    }

    @Test func aCompleteRunPassesEveryControlAndWritesBothFiles() throws {
        let report = ComplianceReport(facts: try filledFacts(), date: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(report.passed && report.controls.count == 9 && report.controls.allSatisfy(\.passed))
        #expect(report.controls.map(\.id) == ["source-verified", "no-executable-content", "data-scanned", "dataset-checks",
                                              "dataset-fingerprints", "training-config", "evaluation-gate", "signature", "registry"])
        let directory = try TemporaryDirectory()
        let (jsonURL, markdownURL) = try report.write(to: directory.url, scrubber: SecretScrubber(secrets: ["c0ffee-not-used"]))
        let json = try directory.read(jsonURL)
        let markdown = try directory.read(markdownURL)
        let decoded = try JSONDecoder().decode(ComplianceReport.self, from: Data(json.utf8))
        #expect(decoded.controls.count == 9 && decoded.passed && decoded.generated == "2023-11-14T22:13:20Z")
        #expect(json.contains("12fd25f7") && json.contains("3 (redact)"))
        #expect(markdown.contains("| Source verified (repository, commit, file hashes) (`source-verified`) | PASS |"))
        #expect(markdown.contains("Overall: **PASS**"))
        for text in [json, markdown] {
            #expect(!text.contains("hf_aBcDeF"), "secrets are scrubbed from the evidence")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path)
        #expect(leftovers.sorted() == ["compliance.json", "compliance.md"], "no temporary files left behind")
    }

    @Test func stagesThatDidNotRunOrFailedAreNotPasses() throws {
        var facts = try filledFacts()
        facts.signature = nil
        facts.registry = nil
        facts.loading?.pickleLoaded = true
        facts.dataScan?.blockingCount = 2
        let report = ComplianceReport(facts: facts)
        let status = Dictionary(uniqueKeysWithValues: report.controls.map { ($0.id, $0.status) })
        #expect(!report.passed)
        #expect(status["signature"] == .notRun && status["registry"] == .notRun)
        #expect(status["no-executable-content"] == .fail && status["data-scanned"] == .fail && status["source-verified"] == .pass)
        #expect(report.markdown().contains("## Artifact signed and signature verified: NOT RUN"))
        let empty = ComplianceReport(facts: ComplianceFacts(runID: "r"))
        #expect(empty.controls.allSatisfy { $0.status == .notRun } && !empty.passed)
    }
}
