import Foundation
import Testing
@testable import QuenchGovernance
import QuenchTestSupport

/// A registry in memory: versions by dataset fingerprint, and the review marks erasure leaves.
final class InMemoryRegistry: ErasureRegistry {
    var lineage: [String: [String]]
    var marked: [String: String] = [:]

    init(lineage: [String: [String]]) { self.lineage = lineage }

    func versions(withDatasetFingerprint fingerprint: String) throws -> [String] { lineage[fingerprint] ?? [] }

    func markForReview(version: String, reason: String) throws { marked[version] = reason }
}

/// Erasure requests: the dataset rewritten without the person, the models trained on it flagged.
@Suite struct ErasureTests {
    @Test func erasureRemovesMatchingRecordsAndMarksRegisteredModels() throws {
        let directory = try TemporaryDirectory()
        let lines = [
            #"{"text": "Jane Roe wrote from jane.roe@example.com"}"#,
            #"{"text": "an unrelated record"}"#,
            #"{"text": "reply to JANE.ROE\u0040example.com"}"#,
            #"{"text": "another unrelated record"}"#,
        ]
        let dataset = try directory.file("train.jsonl", lines: lines)
        let original = try Data(contentsOf: dataset)
        let old = try DatasetChecker().fingerprint(of: dataset)
        let registry = InMemoryRegistry(lineage: [old.description: ["support-bot@2", "support-bot@3"], "sha256:other": ["x@1"]])
        let output = directory.url.appendingPathComponent("train.erased.jsonl")
        let report = try DatasetEraser().erase(matching: "jane.roe@example.com", in: dataset, writingTo: output, registry: registry)
        #expect(report.removedLines == [1, 3])
        #expect(report.oldFingerprint == old && report.newFingerprint?.records == 2 && report.newFingerprint != old)
        #expect(report.markedVersions == ["support-bot@2", "support-bot@3"])
        #expect(registry.marked.keys.sorted() == ["support-bot@2", "support-bot@3"])
        #expect(registry.marked.values.allSatisfy { !$0.lowercased().contains("jane") && $0.contains(old.description) })
        #expect(try directory.read(output) == lines[1] + "\n" + lines[3] + "\n")
        #expect(try Data(contentsOf: dataset) == original)
    }

    @Test func withoutARegistryOnlyTheFingerprintsAreReported() throws {
        let directory = try TemporaryDirectory()
        let dataset = try directory.file("d.jsonl", lines: [#"{"text": "keep"}"#, #"{"text": "drop ACME-1234"}"#])
        let report = try DatasetEraser().erase(matching: "acme-1234", in: dataset,
                                               writingTo: directory.url.appendingPathComponent("o.jsonl"), registry: nil)
        #expect(report.removedLines == [2] && report.markedVersions == nil && report.newFingerprint?.records == 1)
        #expect(throws: GovernanceError.eraseValueTooShort(length: 2, minimum: 4)) {
            try DatasetEraser().erase(matching: "ab", in: dataset, writingTo: directory.url.appendingPathComponent("p.jsonl"), registry: nil)
        }
    }
}
