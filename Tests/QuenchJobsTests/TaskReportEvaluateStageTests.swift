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
    static func writeGate(in folder: URL, metrics: String? = nil, generation: String = "{}",
                          thresholds: String = "{max_loss: 100, min_tokens: 1}") throws {
        var lines = ["windowing: disjoint", "context: 32", "sets:",
                     "  - {name: held-out, path: valid.jsonl, format: prompt_completion, role: task}"]
        if let metrics {
            lines.append("  - {name: answers, path: valid.jsonl, format: prompt_completion, role: task, metrics: \(metrics), generation: \(generation)}")
        }
        lines.append("thresholds: \(thresholds)")
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

    @Test func aJobRejectedOnAccuracyReportsItsAnswers() throws {
        let fixture = try StageFixture()
        try Self.writeGate(in: fixture.folder, metrics: "[exact_match, json_valid]", generation: "{max_new_tokens: 12, batch_size: 3}",
                           thresholds: "{max_loss: 100, min_tokens: 1, min_accuracy: {exact_match: 0.5}}")
        let finished = try fixture.run(through: .gate)
        let evaluate = try #require(finished.evaluate)
        #expect(evaluate.sets.map(\.name) == ["held-out"], "the loss table keeps loss sets only")
        let task = try #require(evaluate.evaluation.tasks.first)
        #expect(task.name == "answers" && task.base.examples.count == 8 && task.tuned?.examples.count == 8)
        #expect(EvaluateStage.summary(evaluate).contains("; answers: exact_match 0.00 → 0.00, json_valid "))
        let gate = try #require(finished.gate)
        #expect(!gate.passed)

        let now = Date()
        let state = RunState(job: "stage-job", spec: fixture.context.spec.file, specSHA256: fixture.context.spec.sha256,
                             quenchVersion: "test", createdAt: now, updatedAt: now, status: .rejected, pid: nil, stages: [])
        let output = try ReportStage(context: fixture.context, state: state, failure: nil, finished: finished).run { _ in }
        let markdown = try String(contentsOfFile: output.markdown, encoding: .utf8)
        #expect(markdown.contains(#"Failing examples on answers (min\_accuracy on answers: tuned exact\_match(strip) accuracy 0 \< 0.5):"#))
        #expect(markdown.contains("## Task accuracy"))
        #expect(markdown.contains(#"| answers | exact\_match(strip) | 0.0000 ± 0.0000 (0/8) | 0.0000 ± 0.0000 (0/8) | +0.0 pts |"#))
        #expect(markdown.components(separatedBy: "\n- line ").count - 1 == 3, "three failing examples")
        let html = try String(contentsOfFile: output.html, encoding: .utf8)
        #expect(html.contains("<h3>Answers that changed on <code>answers</code></h3>"))
        #expect(html.contains("<div class=\"failing\"><h3>Failing examples on <code>answers</code></h3>"))
    }

    @Test func theSummaryShowsAccuracyBeforeAndAfter() {
        let output = TaskReportTests.evaluation(tasks: [TaskReportTests.comparison()])
        #expect(EvaluateStage.summary(output) == "answers: json_fields 0.14 → 0.86, exact_match 0.14 → 0.86")
    }
}
