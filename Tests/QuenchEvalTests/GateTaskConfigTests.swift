import Foundation
import QuenchConfig
@testable import QuenchEval
import QuenchGate
import QuenchTestSupport
import Testing

/// Gate files with generative sets: `metrics` and `generation` under a set, the accuracy thresholds,
/// and every bad input reported with its line and key before any work starts.
@Suite struct GateTaskConfigTests {
    /// A temp directory with a prompt/completion set, a chat set and a text file.
    struct Folder {
        let directory: URL

        init() throws {
            directory = try TemporaryDirectory.create("gate-tasks")
            try write("{\"prompt\": \"Name?\", \"completion\": \"{\\\"name\\\": \\\"Ada\\\"}\"}\n", "answers.jsonl")
            try write("{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}\n",
                      "chat.jsonl")
            try write("Some general text.\n", "general.txt")
        }

        func write(_ text: String, _ name: String) throws {
            try Data(text.utf8).write(to: directory.appendingPathComponent(name))
        }

        func url(_ name: String) -> URL { directory.appendingPathComponent(name).standardizedFileURL }

        /// The gate `yaml` as read from `gate.yaml` in this folder.
        func load(_ yaml: String) throws -> GateConfig {
            try GateConfig.load(yaml: yaml, file: url("gate.yaml"))
        }

        /// The problems `yaml` is refused with (none when it loads).
        func problems(_ yaml: String) -> [ConfigProblem] {
            do {
                _ = try load(yaml)
                return []
            } catch EvalError.invalidGate(_, let problems) {
                return problems
            } catch {
                Issue.record("expected invalidGate, got \(error)")
                return []
            }
        }

        /// Expects the gate `gate(part)` of each case refused with one problem: at `key`, on `line`, saying `message`.
        func expectRefused(_ cases: [(part: String, key: String, message: String)], line: Int, gate: (String) -> String) {
            for (part, key, message) in cases {
                let problems = self.problems(gate(part))
                #expect(problems.map(\.key) == [key], "\(part)")
                #expect(problems.first?.line == line, "\(part)")
                #expect(problems.first?.message.contains(message) == true, "\(part): \(problems)")
            }
        }

        func cleanUp() { try? FileManager.default.removeItem(at: directory) }
    }

    /// A gate whose one generative task set has `set` as its extra lines and `thresholds` as its thresholds.
    func gate(set: String, thresholds: String = "") -> String {
        """
        sets:
          - name: answers
            path: answers.jsonl
            role: task
        \(set)
        thresholds:
        \(thresholds)
        """
    }

    @Test func aGateReadsGenerativeSetsTheirSettingsAndAccuracyThresholds() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        let config = try folder.load("""
            context: 32
            sets:
              - {name: loss, path: answers.jsonl, format: prompt_completion, role: task}
              - name: answers
                path: answers.jsonl
                role: task
                metrics:
                  - json_fields
                  - exact_match: {ignore_case: true, ignore_punctuation: true}
                  - contains: {strip: false}
                generation: {max_new_tokens: 64, stop: ["\\n\\n", "}"], batch_size: 4}
              - name: general-answers
                path: chat.jsonl
                format: chat
                role: general
                metrics: [exact_match]
            thresholds:
              max_loss: 2
              min_accuracy: {json_fields: 0.8, exact_match: 0.5}
              min_accuracy_gain: {json_fields: -0.25}
              max_accuracy_drop: {exact_match: 0.05}
            """)
        #expect(config.lossSets.map(\.name) == ["loss"])
        #expect(config.generativeSets.map(\.name) == ["answers", "general-answers"])
        #expect(config.lossSets.first?.taskSource == nil)
        let answers = GenerationSettings(
            metrics: [.jsonFields, .exactMatch(TextMatchOptions(strip: true, ignoreCase: true, ignorePunctuation: true)),
                      .contains(TextMatchOptions(strip: false))],
            maxNewTokens: 64, stop: ["\n\n", "}"], batchSize: 4)
        #expect(config.sets[1].generation == answers)
        let source = try #require(config.sets[1].taskSource)
        #expect(source.name == "answers" && source.settings == answers && source.format == nil)
        #expect(source.file.path == folder.url("answers.jsonl").path)
        // Defaults: 128 new tokens, no stop sequences, 8 prompts a batch.
        #expect(config.sets[2].generation == GenerationSettings(metrics: [.exactMatch(TextMatchOptions())]))
        #expect(config.sets[2].taskSource?.format == .chat)
        #expect(config.thresholds == GateConfig.Thresholds(
            maxLoss: 2, minAccuracy: ["json_fields": 0.8, "exact_match": 0.5], minAccuracyGain: ["json_fields": -0.25],
            maxAccuracyDrop: ["exact_match": 0.05]))
    }

    @Test func metricMistakesNameTheLineAndKey() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        func only(_ set: String) -> ConfigProblem? {
            let problems = folder.problems(gate(set: set))
            #expect(problems.count == 1, "\(problems)")
            return problems.first
        }
        let unknown = try #require(only("    metrics: [json_fields, bleu]"))
        #expect(unknown.key == "sets.metrics" && unknown.line == 5)
        #expect(unknown.message.contains("'bleu'") && unknown.message.contains(TaskMetric.knownNames.joined(separator: ", ")))

        let twice = try #require(only("    metrics: [exact_match, json_valid, exact_match]"))
        #expect(twice.key == "sets.metrics" && twice.message.contains("'exact_match' twice"))

        let empty = try #require(only("    metrics: []"))
        #expect(empty.key == "sets.metrics" && empty.message.contains("at least one metric"))

        let scalar = try #require(only("    metrics: exact_match"))
        #expect(scalar.key == "sets.metrics" && scalar.message.contains("expected a list of metrics"))

        let null = try #require(only("    metrics:"))
        #expect(null.key == "sets.metrics" && null.message.contains("found null"))

        let twoKeys = try #require(only("    metrics:\n      - {exact_match: {}, contains: {}}"))
        #expect(twoKeys.key == "sets.metrics" && twoKeys.line == 6 && twoKeys.message.contains("a metric name"))

        let options = try #require(only("    metrics:\n      - regex: {ignore_case: true}"))
        #expect(options.key == "sets.metrics.regex" && options.message.contains("regex takes no options"))
    }

    @Test func textOptionsAreCheckedAndLmEvalOnlyOptionsRefusedByName() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        for option in ["ignore_numbers", "regexes_to_ignore"] {
            let problems = folder.problems(gate(set: "    metrics:\n      - exact_match: {ignore_case: true, \(option): true}"))
            #expect(problems.map(\.key) == ["sets.metrics.exact_match.\(option)"])
            #expect(problems.first?.line == 6)
            #expect(problems.first?.message.contains("lm-evaluation-harness's exact_match has '\(option)', Quench does not") == true)
        }
        let typo = folder.problems(gate(set: "    metrics:\n      - contains: {ignore_cas: true}"))
        #expect(typo.map(\.key) == ["sets.metrics.contains.ignore_cas"])
        #expect(typo.first?.message.contains("strip, ignore_case, ignore_punctuation") == true)
        let notBoolean = folder.problems(gate(set: "    metrics:\n      - exact_match: {strip: sometimes}"))
        #expect(notBoolean.map(\.key) == ["sets.metrics.exact_match.strip"])
        #expect(notBoolean.first?.message.contains("expected true or false") == true)
        let notMapping = folder.problems(gate(set: "    metrics:\n      - exact_match: [strip]"))
        #expect(notMapping.map(\.key) == ["sets.metrics.exact_match"])
        // `- exact_match:` with nothing after it is exact_match with the default options.
        let config = try folder.load(gate(set: "    metrics:\n      - exact_match:"))
        #expect(config.sets.first?.generation?.metrics == [.exactMatch(TextMatchOptions())])
    }

    @Test func generationSettingsAreBoundedAndNeedMetrics() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        let metrics = "    metrics: [json_valid]\n"
        let bad: [(part: String, key: String, message: String)] = [
            ("    generation: {max_new_tokens: 0}", "sets.generation.max_new_tokens", "must be between 1 and 4096"),
            ("    generation: {max_new_tokens: 4097}", "sets.generation.max_new_tokens", "must be between 1 and 4096"),
            ("    generation: {batch_size: 0}", "sets.generation.batch_size", "must be between 1 and 256"),
            ("    generation: {batch_size: 257}", "sets.generation.batch_size", "must be between 1 and 256"),
            ("    generation: {max_new_tokens: many}", "sets.generation.max_new_tokens", "expected an integer"),
            ("    generation: {stop: [\"\"]}", "sets.generation.stop", "must not be empty"),
            ("    generation: {stop: [null]}", "sets.generation.stop", "expected text, found null"),
            ("    generation: {stop: \"}\"}", "sets.generation.stop", "expected a list of stop strings"),
            ("    generation: {max_tokens: 5}", "sets.generation.max_tokens", "did you mean 'max_new_tokens'?"),
            ("    generation: 5", "sets.generation", "expected a mapping"),
        ]
        folder.expectRefused(bad, line: 6) { gate(set: metrics + $0) }
        let stops = (0...16).map { "\"s\($0)\"" }.joined(separator: ", ")
        let tooMany = folder.problems(gate(set: metrics + "    generation: {stop: [\(stops)]}"))
        #expect(tooMany.map(\.key) == ["sets.generation.stop"])
        #expect(tooMany.first?.message.contains("at most 16 stop strings, found 17") == true)

        let withoutMetrics = folder.problems(gate(set: "    generation: {max_new_tokens: 32}"))
        #expect(withoutMetrics.map(\.key) == ["sets.generation"] && withoutMetrics.first?.line == 5)
        #expect(withoutMetrics.first?.message.contains("only a generative set has generation settings") == true)
    }

    @Test func aGenerativeSetNeedsAJSONLFileWithReferences() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        let text = folder.problems("""
            sets:
              - name: answers
                path: answers.jsonl
                format: text
                metrics: [exact_match]
            """)
        #expect(text.map(\.key) == ["sets.format"] && text.first?.line == 4)
        #expect(text.first?.message.contains("a generative set needs references") == true)

        let plain = folder.problems("""
            sets:
              - name: answers
                path: general.txt
                metrics: [exact_match]
            """)
        #expect(plain.map(\.key) == ["sets.path"] && plain.first?.line == 3)
        #expect(plain.first?.message.contains("a .txt file holds no references") == true)
        #expect(plain.first?.message.contains(folder.url("general.txt").path) == true)

        let missing = folder.problems("""
            sets:
              - name: answers
                path: none.jsonl
                metrics: [exact_match]
            """)
        #expect(missing.map(\.key) == ["sets.path"] && missing.first?.message.contains("no such file") == true)
    }

    @Test func accuracyThresholdsAreBoundedAndNeedASetComputingTheirMetric() throws {
        let folder = try Folder()
        defer { folder.cleanUp() }
        let set = "    metrics: [json_fields, exact_match]"
        let bad: [(part: String, key: String, message: String)] = [
            ("  min_accuracy: {json_fields: 1.5}", "thresholds.min_accuracy.json_fields", "must be between 0 and 1"),
            ("  min_accuracy: {json_fields: high}", "thresholds.min_accuracy.json_fields", "expected a number"),
            ("  min_accuracy_gain: {json_fields: -2}", "thresholds.min_accuracy_gain.json_fields", "must be between -1 and 1"),
            ("  max_accuracy_drop: {exact_match: -0.1}", "thresholds.max_accuracy_drop.exact_match", "must be between 0 and 1"),
            ("  min_accuracy: {bleu: 0.5}", "thresholds.min_accuracy.bleu", "known keys are exact_match, contains"),
            ("  min_accuracy: {regex: 0.5}", "thresholds.min_accuracy.regex",
             "needs a generative set with role 'task' computing regex"),
            ("  max_accuracy_drop: {json_fields: 0.1}", "thresholds.max_accuracy_drop.json_fields",
             "needs a generative set with role 'general' computing json_fields"),
            ("  min_accuracy: 0.5", "thresholds.min_accuracy", "expected a mapping of metric name to number"),
            ("  max_loss: 2", "thresholds.max_loss", "needs a loss set (without metrics) with role 'task'"),
            ("  max_regression: 0.1", "thresholds.max_regression", "needs a loss set (without metrics) with role 'general'"),
            ("  min_tokens: 10", "thresholds.min_tokens", "needs a loss set (without metrics)"),
        ]
        folder.expectRefused(bad, line: 7) { gate(set: set, thresholds: $0) }
        // A loss set's role does not satisfy an accuracy threshold, nor a generative set's a loss threshold.
        let lossOnly = folder.problems("""
            sets:
              - {name: loss, path: answers.jsonl, role: task}
            thresholds:
              max_loss: 2
              min_accuracy: {exact_match: 0.5}
            """)
        #expect(lossOnly.map(\.key) == ["thresholds.min_accuracy.exact_match"])
    }
}
