import Foundation
@testable import QuenchEval
import QuenchGate
@testable import QuenchJobs
import Testing

/// The evaluate stage evaluates again when a generative set's settings change, and its summary line
/// shows each metric's accuracy before and after.
@Suite struct TaskReportEvaluateStageTests {
    /// The fixture's gate with its loss set and, when `generation` is given, a generative set with
    /// those `metrics` and `generation` settings.
    static func writeGate(in folder: URL, metrics: String? = nil, generation: String = "{}") throws {
        var lines = ["windowing: disjoint", "context: 32", "sets:",
                     "  - {name: held-out, path: valid.jsonl, format: prompt_completion, role: task}"]
        if let metrics {
            lines.append("  - {name: answers, path: valid.jsonl, format: prompt_completion, role: task, metrics: \(metrics), generation: \(generation)}")
        }
        lines.append("thresholds: {max_loss: 100, min_tokens: 1}")
        try Data(lines.joined(separator: "\n").utf8).write(to: folder.appendingPathComponent("gate.yaml"))
    }

    @Test func changedGenerationSettingsChangeTheInputs() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .train)
        let stage = EvaluateStage(context: fixture.context, fetch: try #require(finished.fetch),
                                  verify: try #require(finished.verify), train: try #require(finished.train))
        func evalSets(metrics: String? = nil, generation: String = "{}") throws -> String {
            try Self.writeGate(in: fixture.folder, metrics: metrics, generation: generation)
            return try #require(try stage.inputs()["eval_sets"])
        }
        let lossOnly = try evalSets()
        #expect(!lossOnly.contains("metrics="), "a loss set's inputs read as before")
        let variants = try [
            evalSets(metrics: "[exact_match]"),
            evalSets(metrics: "[exact_match: {ignore_case: true}]"),
            evalSets(metrics: "[exact_match, json_valid]"),
            evalSets(metrics: "[exact_match]", generation: "{max_new_tokens: 9}"),
            evalSets(metrics: "[exact_match]", generation: #"{stop: ["\n"]}"#),
            evalSets(metrics: "[exact_match]", generation: "{batch_size: 3}"),
        ]
        #expect(Set(variants + [lossOnly]).count == variants.count + 1)
        #expect(variants[0].hasPrefix(lossOnly + ";answers="))
        #expect(variants[0].hasSuffix("#metrics=exact_match(strip)#max_new_tokens=128#stop=[]#batch_size=8"))
        #expect(variants[4].contains(#"#stop=["\n"]#"#))
        #expect(try evalSets(metrics: "[exact_match]", generation: "{max_new_tokens: 128, batch_size: 8}") == variants[0],
                "the defaults spelled out are the same settings")
    }

    @Test func theSummaryShowsAccuracyBeforeAndAfter() {
        let output = TaskReportTests.evaluation(tasks: [TaskReportTests.comparison()])
        #expect(EvaluateStage.summary(output) == "answers: json_fields 0.14 → 0.86, exact_match 0.14 → 0.86")
    }
}
