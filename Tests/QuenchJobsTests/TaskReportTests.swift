import Foundation
@testable import QuenchEval
import QuenchGate
@testable import QuenchJobs
import QuenchTrain
import Testing

/// report.md and report.html show generative sets' accuracies before and after, the answers that
/// changed (HTML), and, when an accuracy check rejected the model, failing examples under the headline.
@Suite struct TaskReportTests {
    /// A json_fields + exact_match set of 7 records: the base model is right only on line 7, the tuned
    /// model on lines 1–6 (so 6 went wrong → right and 1 right → wrong); line 7's tuned answer is markup.
    static func comparison(name: String = "answers") -> TaskComparison {
        let metrics: [TaskMetric] = [.jsonFields, .exactMatch(TextMatchOptions())]
        func example(_ line: Int, answer: String, right: Bool) -> TaskExample {
            TaskExample(line: line, prompt: "Who is person \(line)?", reference: #"{"name": "P\#(line)", "age": \#(line)}"#,
                        answer: answer, stop: right ? .endOfTurn : .length, generatedTokens: 9, outcomes: [
                            MetricOutcome(metric: "json_fields", correct: right, reason: right ? nil : "age: 0, expected \(line)",
                                          fields: ["name": true, "age": right]),
                            MetricOutcome(metric: "exact_match", correct: right, reason: right ? nil : "not equal"),
                        ])
        }
        let base = (1...7).map { example($0, answer: $0 == 7 ? #"{"name": "P7", "age": 7}"# : "I think P\($0)", right: $0 == 7) }
        let tuned = (1...7).map { line in
            line == 7 ? example(7, answer: "<script>alert(1)</script>", right: false)
                : example(line, answer: #"{"name": "P\#(line)", "age": \#(line)}"#, right: true)
        }
        return TaskComparison(name: name, path: "/data/answers.jsonl", metrics: metrics, maxNewTokens: 64,
                              base: TaskResult(metrics: metrics, examples: base, precision: "fp32", promptTokens: 70, generatedTokens: 63, seconds: 1),
                              tuned: TaskResult(metrics: metrics, examples: tuned, precision: "fp32", promptTokens: 70, generatedTokens: 63, seconds: 1))
    }

    /// An evaluate stage's output with `tasks` and no loss set.
    static func evaluation(tasks: [TaskComparison]) -> EvaluateStage.Output {
        EvaluateStage.Output(sets: [], evaluation: EvalReport(
            model: "/models/base", tuned: "/run/adapter", tunedKind: .adapter, windowing: "disjoint", context: 32, precision: .fp32,
            sets: [], tasks: tasks, modelFiles: [], tunedFiles: nil))
    }

    /// A run report with `tasks` evaluated and a gate made of `checks`.
    static func report(tasks: [TaskComparison], checks: [GateCheck]) -> RunReport {
        let evaluation = evaluation(tasks: tasks)
        let passed = checks.allSatisfy(\.passed)
        let gate = GateStage.Output(passed: passed, reason: checks.first { !$0.passed }?.explanation ?? "every check passed",
                                    checks: checks, report: "gate.json", summary: "gate.md", evaluatedAt: "2026-12-05T08:00:00Z")
        let now = Date()
        return RunReport(job: "task-job", spec: "job.yaml", specSHA256: "0123", quenchVersion: "test", runDirectory: "/run",
                         status: passed ? .succeeded : .rejected, failure: nil, createdAt: now, finishedAt: now, stages: [],
                         model: nil, files: nil, data: nil, training: nil, trainingConfiguration: nil,
                         precision: .init(training: TrainingConfig(data: .init(train: "t.jsonl")), trained: nil, evaluated: evaluation),
                         curve: nil, evaluation: evaluation, accuracy: TaskAccuracyRow.table(evaluation), gate: gate,
                         signature: nil, registry: nil, compliance: [:])
    }

    static let failedAccuracy = GateCheck(name: "min_accuracy", set: "answers", metric: "tuned json_fields accuracy",
                                          threshold: 0.9, value: 6.0 / 7, atMost: false, taskMetric: "json_fields")
    static let passedAccuracy = GateCheck(name: "min_accuracy", set: "answers", metric: "tuned json_fields accuracy",
                                          threshold: 0.8, value: 6.0 / 7, atMost: false, taskMetric: "json_fields")

    @Test func markdownHasTheAccuracyTableAndTheChangeCounts() {
        let markdown = MarkdownReport.render(Self.report(tasks: [Self.comparison()], checks: [Self.passedAccuracy]))
        #expect(markdown.contains("## Task accuracy"))
        #expect(markdown.contains(#"| answers | json\_fields | 0.1429 ± 0.1429 (1/7) | 0.8571 ± 0.1429 (6/7) | +71.4 pts |"#))
        #expect(markdown.contains(#"| answers | json\_fields: age | 0.1429 ± 0.1429 (1/7) | 0.8571 ± 0.1429 (6/7) | +71.4 pts |"#))
        #expect(markdown.contains(#"| answers | json\_fields: name | 1.0000 ± 0.0000 (7/7) | 1.0000 ± 0.0000 (7/7) | +0.0 pts |"#))
        #expect(markdown.contains(#"| answers | exact\_match(strip) | 0.1429 ± 0.1429 (1/7) | 0.8571 ± 0.1429 (6/7) | +71.4 pts |"#))
        #expect(markdown.contains("- answers: 6 answer(s) wrong → right, 1 right → wrong"))
        #expect(!markdown.contains("## Evaluation (windowing"), "no loss set, no loss table")
        #expect(!markdown.contains("Failing examples"), "the gate passed")
    }

    @Test func reportJSONHasTheAccuracyTableForScripts() throws {
        let data = try RunFiles.prettyEncoder.encode(Self.report(tasks: [Self.comparison()], checks: [Self.passedAccuracy]))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rows = try #require(json["accuracy"] as? [[String: Any]])
        let fields = rows.first { $0["metric"] as? String == "json_fields" }
        #expect(fields?["set"] as? String == "answers")
        #expect((fields?["base"] as? [String: Any])?["correct"] as? Int == 1)
        #expect((fields?["tuned"] as? [String: Any])?["accuracy"] as? Double == 6.0 / 7)
        let change = try #require(fields?["change_in_points"] as? Double)
        #expect(abs(change - 500.0 / 7) < 1e-9)
        #expect(rows.contains { $0["metric"] as? String == "json_fields: age" })
    }

    @Test func htmlListsChangedAnswersEscaped() {
        let html = HTMLReport.render(Self.report(tasks: [Self.comparison()], checks: [Self.passedAccuracy]))
        #expect(html.contains("<td>answers</td><td>json_fields</td><td class=\"num\">0.1429 ± 0.1429 (1/7)</td>"))
        #expect(html.contains("<h4>Wrong → right: 6, the first 5 shown</h4>"))
        #expect(html.contains("<h4>Right → wrong: 1</h4>"))
        #expect(html.components(separatedBy: "<div class=\"example\">").count - 1 == 6)
        #expect(html.contains("line 1 · base: json_fields: age: 0, expected 1 (generation hit max_new_tokens)"))
        #expect(!html.contains("line 6 ·"), "only the first 5 that improved are listed")
        #expect(html.contains("line 7 · tuned: json_fields: age: 0, expected 7"))
        #expect(html.contains("<dt>tuned answer</dt><dd><pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre></dd>"))
        #expect(html.contains("<pre>{&quot;name&quot;: &quot;P7&quot;, &quot;age&quot;: 7}</pre>"))
        #expect(!html.contains("<script"))
        #expect(html.contains("white-space:pre-wrap"))
        #expect(!html.contains("Failing examples"), "the gate passed")
    }

    @Test func aRejectionOnAccuracyShowsFailingExamplesUnderTheHeadline() throws {
        let report = Self.report(tasks: [Self.comparison()], checks: [Self.failedAccuracy])
        let markdown = MarkdownReport.render(report)
        let failing = try #require(markdown.range(of: #"Failing examples on answers (min\_accuracy on answers: tuned json\_fields accuracy 0.8571 \< 0.9):"#))
        let headline = try #require(markdown.range(of: "**Rejected by the gate: min_accuracy on answers"))
        let stages = try #require(markdown.range(of: "## Stages"))
        #expect(headline.upperBound <= failing.lowerBound && failing.upperBound <= stages.lowerBound)
        #expect(markdown.contains(#"""
            - line 7: json\_fields: age: 0, expected 7 (generation hit max\_new\_tokens)
              - prompt: Who is person 7?
              - expected: {"name": "P7", "age": 7}
              - got: \<script\>alert(1)\</script\>
            """#))
        let unescaped = markdown.replacingOccurrences(of: "\\<", with: "")
        #expect(!unescaped.contains("<script") && !unescaped.contains("</script"), "the answer's tags are escaped")

        let html = HTMLReport.render(report)
        let box = try #require(html.range(of: "<div class=\"failing\"><h3>Failing examples on <code>answers</code></h3>"))
        let header = try #require(html.range(of: "</header>"))
        #expect(box.upperBound <= header.lowerBound)
        #expect(html.contains("<p>min_accuracy on answers: tuned json_fields accuracy 0.8571 &lt; 0.9</p>"))
        #expect(html.contains("<dt>got</dt><dd><pre>&lt;script&gt;alert(1)&lt;/script&gt;</pre></dd>"))
        #expect(!html.contains("<script"))
    }

    @Test func failingExamplesAreAtMostThreeAndOnlyForAccuracyChecks() {
        let wrongEverywhere = Self.comparison(name: "general")
        let drop = GateCheck(name: "max_accuracy_drop", set: "general", metric: "accuracy drop in json_fields (base − tuned)",
                             threshold: 0.1, value: 0.5, atMost: true, taskMetric: "json_fields")
        let loss = GateCheck(name: "max_loss", set: "held-out", metric: "tuned mean loss", threshold: 1, value: 2, atMost: true)
        var tuned = wrongEverywhere.tuned!.examples.map { example in
            TaskExample(line: example.line, prompt: example.prompt, reference: example.reference, answer: "no", stop: .endOfTurn,
                        generatedTokens: 1, outcomes: example.outcomes.map { MetricOutcome(metric: $0.metric, correct: false, reason: "wrong") })
        }
        tuned.swapAt(0, 1)
        let general = TaskComparison(name: "general", path: wrongEverywhere.path, metrics: wrongEverywhere.metrics, maxNewTokens: 64,
                                     base: wrongEverywhere.base, tuned: TaskResult(metrics: wrongEverywhere.metrics, examples: tuned,
                                                                                     precision: "fp32", promptTokens: 1, generatedTokens: 7, seconds: 1))
        let sets = Self.report(tasks: [Self.comparison(), general], checks: [loss, Self.passedAccuracy, drop, drop]).rejectedTaskSets
        #expect(sets.map(\.set) == ["general"])
        #expect(sets.first?.checks.count == 2)
        #expect(sets.first?.examples.map(\.line) == [2, 1, 3])
        #expect(Self.report(tasks: [Self.comparison()], checks: [loss]).rejectedTaskSets.isEmpty)
    }

    @Test func failingExamplesAreScrubbedBeforeTheyAreCut() throws {
        let secret = "hf_SECRETSECRETSECRET"
        let padding = String(repeating: "a", count: GateTaskResult.FailingExample.maximumCharacters - 5)
        let task = Self.comparison()
        let tuned = try #require(task.tuned).examples.map { example in
            TaskExample(line: example.line, prompt: example.prompt, reference: example.reference,
                        answer: example.correct ? example.answer : padding + secret, stop: example.stop,
                        generatedTokens: example.generatedTokens, outcomes: example.outcomes)
        }
        let leaky = TaskComparison(name: task.name, path: task.path, metrics: task.metrics, maxNewTokens: task.maxNewTokens, base: task.base,
                                   tuned: TaskResult(metrics: task.metrics, examples: tuned, precision: "fp32", promptTokens: 1,
                                                     generatedTokens: 1, seconds: 1))
        let report = Self.report(tasks: [leaky], checks: [Self.failedAccuracy])
        let sets = RejectedTaskSet.all(gate: report.gate, evaluation: report.evaluation) {
            $0.replacingOccurrences(of: secret, with: "[REDACTED]")
        }
        let got = try #require(sets.first?.examples.first?.got)
        #expect(got == padding + "[REDA…")
        #expect(!got.contains("hf_"))
    }

    @Test func markupInNamesStaysText() {
        let lines = MarkdownReport.taskAccuracy([Self.comparison(name: "a|b <i>")])
        #expect(lines.contains { $0.hasPrefix(#"| a\|b \<i\> | json\_fields |"#) })
        #expect(HTMLReport.taskAccuracy([Self.comparison(name: "a|b <i>")]).contains("<td>a|b &lt;i&gt;</td>"))
    }
}
