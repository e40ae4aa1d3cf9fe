import Foundation
@testable import QuenchEval
import QuenchGate
import QuenchTestSupport
import Testing

/// A gate with a generative set run end to end on tiny-llama: both models answer the prompts, the
/// accuracy checks sit beside the loss checks, and gate.json and gate.md quote the failing answers.
@Suite struct GateTaskRunTests {
    @Test func aGenerativeSetIsAnsweredCheckedAndQuotedWhenItFails() throws {
        let bench = try GateTests.Workbench()
        defer { bench.cleanUp() }
        try bench.write("""
            windowing: disjoint
            context: 32
            sets:
              - {name: task, path: task.jsonl, format: prompt_completion, role: task}
              - name: answers
                path: task.jsonl
                role: task
                metrics: [json_valid, regex]
                generation: {max_new_tokens: 6, batch_size: 4}
            thresholds:
              max_loss: 100
              min_accuracy: {json_valid: 0.5}
              min_accuracy_gain: {regex: -1}
            """, "tasks.yaml")
        let output = bench.directory.appendingPathComponent("out")
        let report = try GateRunner.run(gate: bench.directory.appendingPathComponent("tasks.yaml"), base: bench.model,
                                        tuned: .adapter(bench.adapter), output: output, quenchVersion: "0",
                                        scrub: { $0.replacingOccurrences(of: "Convert", with: "<SCRUBBED>") })
        // A random tiny model writes no JSON in 6 tokens.
        #expect(!report.passed)
        #expect(report.checks.map(\.name) == ["max_loss", "min_accuracy", "min_accuracy_gain"])
        #expect(report.checks.map(\.passed) == [true, false, true])
        #expect(report.reason.hasPrefix("failed min_accuracy on answers: tuned json_valid accuracy 0 < 0.5"), "\(report.reason)")
        let task = try #require(report.tasks.first)
        #expect(report.tasks.count == 1 && task.name == "answers" && task.maxNewTokens == 6)
        #expect(task.base.map(\.metric.name) == ["json_valid", "regex"] && task.tuned?.count == 2)
        #expect(task.base.first?.statistic.count == 6 && task.tuned?.first?.statistic.correct == 0)
        #expect(task.failingExamples.map(\.line) == [1, 2, 3])
        #expect(task.failingExamples.allSatisfy { $0.prompt.hasPrefix("<SCRUBBED> ") && $0.reason.hasPrefix("json_valid") })
        #expect(report.results.count == 1 && report.results.first?.comparison.name == "task")

        let written = try GateReport.decode(Data(contentsOf: output.appendingPathComponent(GateRunner.reportFile)))
        #expect(written == report)
        let markdown = try String(contentsOf: output.appendingPathComponent(GateRunner.summaryFile), encoding: .utf8)
        #expect(markdown.contains("| answers | task | json\\_valid | 0.0000 ± 0.0000 (0/6) | 0.0000 ± 0.0000 (0/6) | +0.0000 |"))
        #expect(markdown.contains("## Failing examples") && !markdown.contains("Convert"))
    }
}
