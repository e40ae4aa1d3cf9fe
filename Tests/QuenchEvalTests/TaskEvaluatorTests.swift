import Foundation
@testable import QuenchEval
import QuenchGate
import QuenchModel
import QuenchTestSupport
import Testing

/// Answers come from batched greedy generation, are cut at stop sequences and bounded by
/// max_new_tokens, and do not depend on the batch size.
@Suite struct TaskEvaluatorTests {
    func answers(_ bench: GateTests.Workbench, stop: [String] = [], batch: Int = 8, maxNewTokens: Int = 16) throws -> TaskResult {
        let bundle = try ModelBundle.open(bench.model)
        let source = GenerativeSetSource(file: bench.directory.appendingPathComponent("task.jsonl"),
                                         settings: GenerationSettings(metrics: [.contains(TextMatchOptions()), .jsonValid],
                                                                      maxNewTokens: maxNewTokens, stop: stop, batchSize: batch))
        let set = try ModelEvaluation.loadTasks([source], bundle: bundle)[0]
        return try TaskEvaluator.evaluate(model: bundle.model, set: set)
    }

    @Test func answersAreBoundedCutAtStopSequencesAndIndependentOfTheBatch() throws {
        let bench = try GateTests.Workbench()
        defer { bench.cleanUp() }
        let free = try answers(bench)
        #expect(free.examples.count == 6 && free.examples.map(\.line) == Array(1...6))
        #expect(free.examples.allSatisfy { $0.generatedTokens <= 16 })
        // The random tiny model never writes its EOS in 16 tokens: every answer runs out.
        #expect(free.examples.allSatisfy { $0.stop == .length }, "\(free.examples.map(\.stop))")
        #expect(free.generatedTokens == free.examples.reduce(0) { $0 + $1.generatedTokens })
        #expect(free.accuracies.map(\.metric.name) == ["contains", "json_valid"])
        #expect(free.examples.allSatisfy { $0.failure?.hasSuffix("(generation hit max_new_tokens)") == true })

        let one = try answers(bench, batch: 1)
        #expect(one.examples.map(\.answer) == free.examples.map(\.answer), "batch 1 and batch 8 answer alike")

        // Stop at the first letter or digit the model wrote after its first character: answers are cut before it.
        let first = Array(try #require(free.examples.first).answer)
        let stop = String(try #require(first.dropFirst().first { $0.isASCII && ($0.isLetter || $0.isNumber) }, "\(first)"))
        let cut = try answers(bench, stop: [stop])
        let answer = try #require(cut.examples.first)
        #expect(answer.stop == .stopSequence)
        #expect(!answer.answer.contains(stop) && free.examples[0].answer.hasPrefix(answer.answer))
        for (stopped, whole) in zip(cut.examples, free.examples) {
            #expect(whole.answer.hasPrefix(stopped.answer))
            #expect((stopped.stop == .stopSequence) == whole.answer.contains(stop), "line \(stopped.line)")
        }
    }
}
