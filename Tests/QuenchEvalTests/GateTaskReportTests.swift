import Foundation
@testable import QuenchEval
import QuenchGate
import QuenchTensor
import QuenchTestSupport
import Testing

/// The accuracy checks on synthetic generative results, and what gate.json and gate.md record of
/// them: the accuracies, the failing examples (scrubbed, cut), and a report from before tasks existed.
@Suite struct GateTaskReportTests {
    /// A json_fields example on `line`, right or wrong.
    func example(_ line: Int, correct: Bool, prompt: String = "Make a record.", answer: String = "{}") -> TaskExample {
        TaskExample(line: line, prompt: prompt, reference: "{\"name\": \"Ada\"}", answer: answer, stop: .endOfTurn,
                    generatedTokens: 4,
                    outcomes: [MetricOutcome(metric: "json_fields", correct: correct, reason: correct ? nil : "missing 'name'",
                                             fields: ["name": correct])])
    }

    /// A model's result with `right` of its `examples` (the first ones) correct.
    func result(right: Int, of count: Int, metrics: [TaskMetric] = [.jsonFields],
                examples make: ((Int, Bool) -> TaskExample)? = nil) -> TaskResult {
        let examples = (0..<count).map { make?($0 + 1, $0 < right) ?? example($0 + 1, correct: $0 < right) }
        return TaskResult(metrics: metrics, examples: examples, precision: "fp32", promptTokens: 10 * count,
                          generatedTokens: 4 * count, seconds: 1)
    }

    func task(_ name: String = "answers", role: GateConfig.Role = .task, base: TaskResult, tuned: TaskResult?,
              path: String = "/sets/answers.jsonl") -> EvaluatedTask {
        let settings = GenerationSettings(metrics: [.jsonFields])
        let set = GateConfig.EvalSet(name: name, file: URL(fileURLWithPath: path), format: nil, role: role, generation: settings)
        return EvaluatedTask(set: set, comparison: TaskComparison(name: name, path: path, metrics: settings.metrics,
                                                                  maxNewTokens: settings.maxNewTokens, base: base, tuned: tuned))
    }

    func passes(_ thresholds: GateConfig.Thresholds, _ task: EvaluatedTask) -> Bool {
        let checks = GateChecks.accuracy(thresholds, tasks: [task])
        return !checks.isEmpty && checks.allSatisfy(\.passed)
    }

    @Test func everyAccuracyThresholdPassesOnOneSideAndFailsOnTheOther() throws {
        // Base 1 of 4 right (0.25), tuned 3 of 4 (0.75): gain 0.5.
        let improved = task(base: result(right: 1, of: 4), tuned: result(right: 3, of: 4))
        #expect(passes(.init(minAccuracy: ["json_fields": 0.75]), improved))
        #expect(!passes(.init(minAccuracy: ["json_fields": 0.76]), improved))
        #expect(passes(.init(minAccuracyGain: ["json_fields": 0.5]), improved))
        #expect(!passes(.init(minAccuracyGain: ["json_fields": 0.51]), improved))
        // A general set going from 0.75 to 0.5 drops 0.25.
        let forgot = task(role: .general, base: result(right: 3, of: 4), tuned: result(right: 2, of: 4))
        #expect(passes(.init(maxAccuracyDrop: ["json_fields": 0.25]), forgot))
        #expect(!passes(.init(maxAccuracyDrop: ["json_fields": 0.24]), forgot))
        // Without a tuned result the value is not a number, which never passes.
        let untuned = task(base: result(right: 4, of: 4), tuned: nil)
        let check = try #require(GateChecks.accuracy(.init(minAccuracy: ["json_fields": 0]), tasks: [untuned]).first)
        #expect(check.value == nil && !check.passed)
        // Task thresholds leave general sets alone, the drop leaves task sets alone, other metrics are not checked.
        #expect(GateChecks.accuracy(.init(minAccuracy: ["json_fields": 0.1], minAccuracyGain: ["json_fields": 0]),
                                    tasks: [forgot]).isEmpty)
        #expect(GateChecks.accuracy(.init(maxAccuracyDrop: ["json_fields": 0.1]), tasks: [improved]).isEmpty)
        #expect(GateChecks.accuracy(.init(minAccuracy: ["exact_match": 0.1]), tasks: [improved]).isEmpty)
    }

    @Test func accuracyChecksSayWhatTheyMeasure() throws {
        let improved = task(base: result(right: 1, of: 4), tuned: result(right: 3, of: 4))
        let checks = GateChecks.accuracy(.init(minAccuracy: ["json_fields": 0.8], minAccuracyGain: ["json_fields": 0.4]),
                                         tasks: [improved])
        #expect(checks.map(\.name) == ["min_accuracy", "min_accuracy_gain"])
        #expect(checks.map(\.metric) == ["tuned json_fields accuracy", "accuracy gain in json_fields (tuned − base)"])
        #expect(checks.map(\.value) == [0.75, 0.5])
        #expect(checks[0].explanation == "min_accuracy on answers: tuned json_fields accuracy 0.75 < 0.8")
        let forgot = task(role: .general, base: result(right: 3, of: 4), tuned: result(right: 2, of: 4))
        let drop = try #require(GateChecks.accuracy(.init(maxAccuracyDrop: ["json_fields": 0.1]), tasks: [forgot]).first)
        #expect(drop.metric == "accuracy drop in json_fields (base − tuned)" && drop.value == 0.25)
        #expect(drop.explanation == "max_accuracy_drop on answers: accuracy drop in json_fields (base − tuned) 0.25 > 0.1")
    }

    /// A folder holding a gate with one generative task set and one generative general set.
    struct Folder {
        let directory: URL
        let gate: GateConfig

        init(thresholds: String) throws {
            directory = try TemporaryDirectory.create("gate-report")
            try Data("{\"prompt\": \"Name?\", \"completion\": \"Ada\"}\n".utf8)
                .write(to: directory.appendingPathComponent("answers.jsonl"))
            try Data("{\"prompt\": \"Capital of France?\", \"completion\": \"Paris\"}\n".utf8)
                .write(to: directory.appendingPathComponent("general.jsonl"))
            let file = directory.appendingPathComponent("gate.yaml")
            try Data("""
                context: 32
                sets:
                  - {name: answers, path: answers.jsonl, role: task, metrics: [json_fields]}
                  - {name: general, path: general.jsonl, role: general, metrics: [json_fields]}
                thresholds:
                \(thresholds)
                """.utf8).write(to: file)
            gate = try GateConfig.load(contentsOf: file)
        }

        func path(_ name: String) -> String { directory.appendingPathComponent(name).standardizedFileURL.path }

        /// An evaluation of this gate's sets with `answers` and `general` as their results.
        func evaluation(answers: TaskComparison, general: TaskComparison) -> EvalReport {
            EvalReport(model: "/models/base.gguf", tuned: "/models/adapter", tunedKind: .adapter, windowing: "disjoint",
                       context: 32, precision: .fp32, sets: [], tasks: [answers, general], modelFiles: [], tunedFiles: [])
        }

        func comparison(_ name: String, base: TaskResult, tuned: TaskResult?) -> TaskComparison {
            TaskComparison(name: name, path: path("\(name).jsonl"), metrics: [.jsonFields],
                           maxNewTokens: GenerationSettings.defaultMaxNewTokens, base: base, tuned: tuned)
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }
    }

    static let secret = "hf_FAKEsecretTOKEN1234567890abcdefgh"

    /// Replaces the fake secret, as `SecretScrubber` would a real one.
    static func scrub(_ text: String) -> String { text.replacingOccurrences(of: secret, with: "<SECRET>") }

    @Test func aFailedAccuracyCheckQuotesAFewScrubbedFailingExamples() throws {
        let folder = try Folder(thresholds: "  min_accuracy: {json_fields: 0.8}\n  max_accuracy_drop: {json_fields: 0.5}")
        defer { folder.cleanUp() }
        let long = String(repeating: "x", count: 1000)
        let tuned = result(right: 1, of: 6) { line, correct in
            example(line, correct: correct, prompt: "Record for \(Self.secret) please", answer: line == 2 ? long : "{}")
        }
        let evaluation = folder.evaluation(
            answers: folder.comparison("answers", base: result(right: 0, of: 6), tuned: tuned),
            general: folder.comparison("general", base: result(right: 2, of: 2), tuned: result(right: 1, of: 2)))
        let report = try GateRunner.decide(folder.gate, evaluation: evaluation, quenchVersion: "0", scrub: Self.scrub)
        #expect(!report.passed)
        #expect(report.checks.map(\.name) == ["min_accuracy", "max_accuracy_drop"])
        #expect(report.checks.map(\.passed) == [false, true])
        #expect(report.reason.hasPrefix("failed min_accuracy on answers: tuned json_fields accuracy 0.1667 < 0.8"),
                "\(report.reason)")
        #expect(report.tasks.map(\.name) == ["answers", "general"])
        #expect(report.tasks.map(\.role) == [.task, .general])
        let answers = report.tasks[0]
        #expect(answers.base.first?.statistic == AccuracyStatistic(correct: 0, count: 6))
        #expect(answers.tuned?.first?.statistic == AccuracyStatistic(correct: 1, count: 6))
        #expect(answers.tuned?.first?.fields?["name"] == AccuracyStatistic(correct: 1, count: 6))
        // The first three wrong answers of the tuned model, in file order; none of the passing set.
        #expect(answers.failingExamples.map(\.line) == [2, 3, 4])
        #expect(report.tasks[1].failingExamples.isEmpty)
        let first = try #require(answers.failingExamples.first)
        #expect(first.prompt == "Record for <SECRET> please")
        #expect(first.expected == "{\"name\": \"Ada\"}" && first.reason == "json_fields: missing 'name'")
        #expect(first.got == String(repeating: "x", count: 300) + "…")

        let output = folder.directory.appendingPathComponent("out")
        try GateRunner.write(report, to: output)
        let json = try String(contentsOf: output.appendingPathComponent(GateRunner.reportFile), encoding: .utf8)
        let markdown = try String(contentsOf: output.appendingPathComponent(GateRunner.summaryFile), encoding: .utf8)
        for text in [json, markdown] {
            #expect(!text.contains(Self.secret) && text.contains("<SECRET>"))
        }
        #expect(json.contains("\"failing_examples\"") && json.contains("\"max_new_tokens\" : 128"))
        #expect(markdown.contains("| set | role | metric | base accuracy ± se (n) | tuned accuracy ± se (n) | change |"))
        #expect(markdown.contains("| answers | task | json\\_fields | 0.0000 ± 0.0000 (0/6) | 0.1667 ± 0.1667 (1/6) | +0.1667 |"))
        #expect(markdown.contains("| general | general | json\\_fields | 1.0000 ± 0.0000 (2/2) | 0.5000 ± 0.5000 (1/2) | -0.5000 |"))
        #expect(markdown.contains("## Failing examples"))
        #expect(markdown.contains("### answers, line 2: json\\_fields: missing 'name'"))
        #expect(report.failingExampleLines.count == 12)
        #expect(Array(report.failingExampleLines.prefix(4)) == [
            "  answers, line 2: json_fields: missing 'name'", "    prompt:   Record for <SECRET> please",
            "    expected: {\"name\": \"Ada\"}", "    got:      " + String(repeating: "x", count: 300) + "…"])
    }

    @Test func gateMarkdownKeepsHostileAnswersInsideTheirCodeBlocks() throws {
        #expect(MarkdownText.escaped("a|b <script>*x*\nnext") == "a\\|b \\<script\\>\\*x\\* next")
        #expect(MarkdownText.fenced("plain") == ["```text", "plain", "```"])
        #expect(MarkdownText.fenced("one ```` run\n```") == ["`````text", "one ```` run", "```", "`````"])

        let folder = try Folder(thresholds: "  min_accuracy: {json_fields: 0.9}")
        defer { folder.cleanUp() }
        let hostile = "```\n</pre><script>alert(1)</script>\n# heading"
        let tuned = result(right: 0, of: 1) { line, correct in example(line, correct: correct, answer: hostile) }
        let evaluation = folder.evaluation(answers: folder.comparison("answers", base: result(right: 0, of: 1), tuned: tuned),
                                           general: folder.comparison("general", base: result(right: 1, of: 1),
                                                                      tuned: result(right: 1, of: 1)))
        let report = try GateRunner.decide(folder.gate, evaluation: evaluation, quenchVersion: "0", scrub: { $0 })
        #expect(report.failingExampleLines.last == "    got:      ```⏎</pre><script>alert(1)</script>⏎# heading")
        let escaping = result(right: 0, of: 1) { line, correct in example(line, correct: correct, answer: "red\u{1B}[31m\tbell\u{7}\u{9B}\r\nend") }
        let escaped = try GateRunner.decide(
            folder.gate, evaluation: folder.evaluation(answers: folder.comparison("answers", base: result(right: 0, of: 1), tuned: escaping),
                                                       general: folder.comparison("general", base: result(right: 1, of: 1),
                                                                                  tuned: result(right: 1, of: 1))),
            quenchVersion: "0", scrub: { $0 })
        #expect(escaped.failingExampleLines.last == "    got:      red\u{FFFD}[31m\tbell\u{FFFD}\u{FFFD}⏎end",
                "no escape sequence reaches the terminal")
        let markdown = report.markdown()
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let got = try #require(lines.firstIndex(of: "Got:"))
        #expect(Array(lines[(got + 1)...(got + 5)]) == ["````text", "```", "</pre><script>alert(1)</script>", "# heading", "````"])
    }

    @Test func gateJSONRoundTripsWithTasksAndReadsOneWrittenBeforeTasks() throws {
        let folder = try Folder(thresholds: "  min_accuracy_gain: {json_fields: 0.1}")
        defer { folder.cleanUp() }
        let evaluation = folder.evaluation(answers: folder.comparison("answers", base: result(right: 1, of: 3),
                                                                      tuned: result(right: 3, of: 3)),
                                           general: folder.comparison("general", base: result(right: 1, of: 1), tuned: nil))
        let report = try GateRunner.decide(folder.gate, evaluation: evaluation, quenchVersion: "0", scrub: { $0 })
        #expect(report.passed, "\(report.reason)")
        #expect(report.tasks.count == 2 && report.tasks[1].tuned == nil)
        let data = try report.encoded()
        #expect(try GateReport.decode(data) == report)

        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["tasks"] = nil
        let old = try GateReport.decode(try JSONSerialization.data(withJSONObject: object))
        #expect(old.tasks.isEmpty && old.checks == report.checks && old.passed)
        #expect(!old.markdown().contains("## Failing examples") && !old.markdown().contains("tuned accuracy"))
    }

    @Test func anEvaluationMustHoldTheGatesGenerativeSetsAsScored() throws {
        let folder = try Folder(thresholds: "  min_accuracy: {json_fields: 0.5}")
        defer { folder.cleanUp() }
        let answers = folder.comparison("answers", base: result(right: 1, of: 2), tuned: result(right: 2, of: 2))
        let general = folder.comparison("general", base: result(right: 1, of: 1), tuned: result(right: 1, of: 1))
        #expect(try GateRunner.matchedTasks(folder.gate, folder.evaluation(answers: answers, general: general))
                    .map(\.set.name) == ["answers", "general"])

        func refusal(_ evaluation: EvalReport) -> String? {
            do {
                _ = try GateRunner.decide(folder.gate, evaluation: evaluation, quenchVersion: "0", scrub: { $0 })
                return nil
            } catch EvalError.invalidSetting(let key, let reason) {
                #expect(key == "sets")
                return reason
            } catch {
                return "\(error)"
            }
        }
        var missing = folder.evaluation(answers: answers, general: general)
        missing = EvalReport(model: missing.model, tuned: missing.tuned, tunedKind: missing.tunedKind, windowing: "disjoint",
                             context: 32, precision: .fp32, sets: [], tasks: [answers], modelFiles: [], tunedFiles: [])
        #expect(refusal(missing)?.contains("the evaluation has 1 generative set(s) but") == true)

        let renamed = TaskComparison(name: "other", path: answers.path, metrics: answers.metrics,
                                     maxNewTokens: answers.maxNewTokens, base: answers.base, tuned: answers.tuned)
        #expect(refusal(folder.evaluation(answers: renamed, general: general))?
                    .contains("no results for generative set 'answers'") == true)

        let rescored = TaskComparison(name: "answers", path: answers.path, metrics: [.jsonValid],
                                      maxNewTokens: answers.maxNewTokens, base: answers.base, tuned: answers.tuned)
        #expect(refusal(folder.evaluation(answers: rescored, general: general))?
                    .contains("scored set 'answers' with other metrics, max_new_tokens or stop sequences") == true)
        let longer = TaskComparison(name: "answers", path: answers.path, metrics: answers.metrics, maxNewTokens: 64,
                                    base: answers.base, tuned: answers.tuned)
        #expect(refusal(folder.evaluation(answers: longer, general: general))?
                    .contains("scored set 'answers' with other metrics, max_new_tokens or stop sequences") == true)
        let cutElsewhere = TaskComparison(name: "answers", path: answers.path, metrics: answers.metrics,
                                          maxNewTokens: answers.maxNewTokens, stop: ["\n"], base: answers.base, tuned: answers.tuned)
        #expect(refusal(folder.evaluation(answers: cutElsewhere, general: general))?
                    .contains("scored set 'answers' with other metrics, max_new_tokens or stop sequences") == true)
    }

    @Test func failingExamplesAreTheAnswersTheFailedCheckMetricScoredWrong() {
        let metrics: [TaskMetric] = [.jsonFields, .exactMatch(TextMatchOptions())]
        func example(_ line: Int, fields: Bool, exact: Bool) -> TaskExample {
            TaskExample(line: line, prompt: "p\(line)", reference: "r", answer: "a\(line)", stop: .endOfTurn, generatedTokens: 1,
                        outcomes: [MetricOutcome(metric: "json_fields", correct: fields, reason: fields ? nil : "missing 'home'"),
                                   MetricOutcome(metric: "exact_match", correct: exact, reason: exact ? nil : "not equal")])
        }
        let tuned = [example(1, fields: true, exact: false), example(2, fields: false, exact: false),
                     example(3, fields: true, exact: true), example(4, fields: false, exact: false)]
        let result = TaskResult(metrics: metrics, examples: tuned, precision: "fp32", promptTokens: 4, generatedTokens: 4, seconds: 1)
        let comparison = TaskComparison(name: "answers", path: "/a.jsonl", metrics: metrics, maxNewTokens: 8, base: result, tuned: result)
        func quoted(_ failed: [String]) -> GateTaskResult {
            GateTaskResult(role: .task, comparison: comparison, failedMetrics: failed, scrub: { $0 })
        }
        // An answer with every field right but another key order fails exact_match only: not quoted for json_fields.
        #expect(quoted(["json_fields"]).failingExamples.map(\.line) == [2, 4])
        #expect(quoted(["json_fields"]).failingExamples.allSatisfy { $0.reason == "json_fields: missing 'home'" })
        #expect(quoted(["exact_match"]).failingExamples.map(\.line) == [1, 2, 4])
        #expect(quoted(["exact_match"]).failingExamples.first?.reason == "exact_match: not equal")
        #expect(quoted([]).failingExamples.isEmpty, "no failed accuracy check, nothing quoted")
    }
}
