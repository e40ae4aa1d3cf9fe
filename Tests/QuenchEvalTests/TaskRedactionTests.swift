import Foundation
@testable import QuenchEval
import QuenchGate
import QuenchModel
import QuenchTestSupport
import Testing

/// What is stored of the answers is scrubbed and bounded; what is scored is the whole answer.
@Suite struct TaskRedactionTests {
    @Test func storedExamplesAreScrubbedThenCutAndKeepTheirVerdicts() {
        let secret = "hf_" + String(repeating: "S", count: 30)
        let long = String(repeating: "é", count: TaskExample.storedCharacters + 10)
        let example = TaskExample(line: 3, prompt: "token \(secret)", reference: long, answer: "\(secret) said no", stop: .length,
                                  generatedTokens: 5, outcomes: [MetricOutcome(metric: "contains", correct: false, reason: "not found in \(secret)")])
        let result = TaskResult(metrics: [.contains(TextMatchOptions())], examples: [example], precision: "fp32", promptTokens: 4,
                                generatedTokens: 5, seconds: 1)
        let comparison = TaskComparison(name: "s", path: "/s.jsonl", metrics: result.accuracies.map(\.metric), maxNewTokens: 5,
                                        stop: ["\n"], base: result, tuned: result)
        let stored = comparison.redacted(by: { $0.replacingOccurrences(of: secret, with: "<SECRET>") })
        let kept = stored.base.examples[0]
        #expect(kept.prompt == "token <SECRET>" && kept.answer == "<SECRET> said no")
        #expect(kept.outcomes[0].reason == "not found in <SECRET>" && kept.outcomes[0].correct == false)
        #expect(kept.reference.unicodeScalars.count == TaskExample.storedCharacters + 1 && kept.reference.hasSuffix("…"))
        #expect(stored.base.accuracies == comparison.base.accuracies && stored.tuned?.accuracies == comparison.tuned?.accuracies)
        #expect(stored.stop == ["\n"] && stored.base.generatedTokens == 5)
    }

    @Test func anIdOutsideTheVocabularyReadsAsAReplacementCharacter() throws {
        let bench = try GateTests.Workbench()
        defer { bench.cleanUp() }
        let tokenizer = try #require(try ModelBundle.open(bench.model).tokenizer)
        #expect(AnswerText.text(of: [104, 105, 9999, 33], tokenizer: tokenizer) == "hi\u{FFFD}!")
        #expect(AnswerText.text(of: [0xC3], tokenizer: tokenizer) == "\u{FFFD}", "a cut character is U+FFFD, not an error")
    }

    @Test func theBudgetHoldsTheTextAMetricMustReproduce() throws {
        let bench = try GateTests.Workbench()
        defer { bench.cleanUp() }
        let padded = String(repeating: " ", count: 20) + "yes" + String(repeating: " ", count: 20)
        try bench.write("{\"prompt\": \"say\", \"completion\": \"\(padded)\"}\n", "padded.jsonl")
        try bench.write("{\"prompt\": \"json\", \"completion\": \"{\\\"a\\\":    1,    \\\"b\\\":       2}\"}\n", "spaced.jsonl")
        let bundle = try ModelBundle.open(bench.model)
        func load(_ file: String, _ metrics: [TaskMetric]) throws -> GenerativeEvalSet {
            try GenerativeSetSource(file: bench.directory.appendingPathComponent(file),
                                    settings: GenerationSettings(metrics: metrics, maxNewTokens: 8))
                .load(tokenizer: try #require(bundle.tokenizer), chatTemplate: nil, maxPositions: bundle.model.config.maxPositions)
        }
        // One token per byte: stripped, the padded reference is 3 tokens; unstripped it is 43.
        #expect(try load("padded.jsonl", [.exactMatch(TextMatchOptions()), .contains(TextMatchOptions())]).examples.count == 1)
        #expect(throws: EvalError.self) { _ = try load("padded.jsonl", [.exactMatch(TextMatchOptions(strip: false))]) }
        // json_fields compares values whatever the spacing: a 31-byte reference is no reason to refuse.
        #expect(try load("spaced.jsonl", [.jsonFields]).examples.first?.reference == #"{"a":    1,    "b":       2}"#)
    }
}
