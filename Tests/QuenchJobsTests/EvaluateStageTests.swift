import Foundation
@testable import QuenchJobs
import QuenchGate
import Testing

/// The evaluate stage measures the base and the tuned model on the gate's sets; it applies no threshold.
@Suite struct EvaluateStageTests {
    @Test func bothModelsAreMeasuredAndNothingIsDecided() throws {
        let fixture = try StageFixture()
        let evaluate = try #require(try fixture.run(through: .evaluate).evaluate)
        #expect(evaluate.evaluation.tunedKind == .adapter)
        #expect(evaluate.evaluation.sets.count == 1)
        let set = try #require(evaluate.sets.first)
        #expect(set.name == "held-out")
        #expect(set.role == .task)
        #expect(set.base.tokens > 0 && set.tuned.tokens == set.base.tokens)
        #expect(set.windowing == "disjoint")
        let gate = fixture.context.directory.evaluation.appendingPathComponent("gate.json")
        #expect(!FileManager.default.fileExists(atPath: gate.path))
    }

    @Test func anAdapterChangedAfterTrainingIsNotEvaluated() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .train)
        let train = try #require(finished.train)
        let weights = URL(fileURLWithPath: train.artifacts).appendingPathComponent("adapter_model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: weights)
        let error = #expect(throws: RunError.self) {
            try EvaluateStage(context: fixture.context, fetch: try #require(finished.fetch),
                              verify: try #require(finished.verify), train: train).run { _ in }
        }
        guard case .changedSinceVerified(let role, let path, _, _)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(role == .tuned)
        #expect(path == weights.standardizedFileURL.path)
    }
}
