import Foundation
@testable import QuenchEval
import QuenchData
import QuenchGate
import QuenchModel
import QuenchTestSupport
import QuenchTokenizer
import Testing

/// A generative set is read whole before any model runs: every record is split into prompt and
/// reference, and each one that cannot be answered or scored is refused naming its file and line.
@Suite struct TaskSetLoadingTests {
    func load(_ lines: [String], metrics: [TaskMetric] = [.exactMatch(TextMatchOptions())], maxNewTokens: Int = 16,
              format: DatasetFormat? = .promptCompletion, in bench: GateTests.Workbench) throws -> GenerativeEvalSet {
        try bench.write(lines.joined(separator: "\n") + "\n", "set.jsonl")
        let bundle = try ModelBundle.open(bench.model)
        let source = GenerativeSetSource(file: bench.directory.appendingPathComponent("set.jsonl"), format: format,
                                         settings: GenerationSettings(metrics: metrics, maxNewTokens: maxNewTokens))
        return try source.load(tokenizer: try #require(bundle.tokenizer), chatTemplate: bundle.chatTemplate,
                               maxPositions: bundle.model.config.maxPositions)
    }

    func refusal(_ body: () throws -> Void) -> (line: Int, reason: String)? {
        do {
            try body()
        } catch EvalError.invalidTaskRecord(_, let line, let reason) {
            return (line, reason)
        } catch {
            Issue.record("expected invalidTaskRecord, got \(error)")
        }
        return nil
    }

    @Test func promptCompletionRecordsBecomePromptsAndReferences() throws {
        let bench = try GateTests.Workbench()
        defer { bench.cleanUp() }
        let set = try load(["{\"prompt\": \"2+2=\", \"completion\": \"4\"}", "", "{\"prompt\": \"ab\", \"completion\": \" cd\"}"],
                           in: bench)
        #expect(set.examples.map(\.line) == [1, 3])
        #expect(set.examples.map(\.reference) == ["4", " cd"])
        #expect(set.examples.map(\.promptIDs) == [[50, 43, 50, 61], [97, 98]], "the byte tokenizer: one id per byte")
        #expect(set.examples.map(\.shownPrompt) == ["2+2=", "ab"])
        #expect(set.examples.allSatisfy { $0.scorers.count == 1 })
    }

    @Test func recordsThatCannotBeAnsweredOrScoredNameTheirLine() throws {
        let bench = try GateTests.Workbench()
        defer { bench.cleanUp() }
        let good = "{\"prompt\": \"say\", \"completion\": \"yes\"}"
        let emptyPrompt = refusal { _ = try load([good, "{\"prompt\": \"  \", \"completion\": \"x\"}"], in: bench) }
        #expect(emptyPrompt?.line == 2 && emptyPrompt?.reason.contains("the prompt is empty") == true)
        let noReference = refusal { _ = try load(["{\"prompt\": \"a\", \"completion\": \"\"}"], in: bench) }
        #expect(noReference?.line == 1 && noReference?.reason.contains("no reference") == true)
        let overBudget = refusal { _ = try load([good, good, "{\"prompt\": \"a\", \"completion\": \"\(String(repeating: "z", count: 20))\"}"],
                                                maxNewTokens: 8, in: bench) }
        #expect(overBudget?.line == 3 && overBudget?.reason.contains("the reference is 20 tokens but max_new_tokens is 8") == true)
        // A regex reference is a pattern, not text to reproduce: its length is not held to the budget.
        _ = try load(["{\"prompt\": \"a\", \"completion\": \"\(String(repeating: "z", count: 20))\"}"], metrics: [.regex],
                     maxNewTokens: 8, in: bench)
        let badPattern = refusal { _ = try load([good, "{\"prompt\": \"a\", \"completion\": \"(a\"}"], metrics: [.regex], in: bench) }
        #expect(badPattern?.line == 2 && badPattern?.reason.hasPrefix("regex: ") == true, "\(String(describing: badPattern))")
        let notAnObject = refusal { _ = try load(["{\"prompt\": \"a\", \"completion\": \"[1]\"}"], metrics: [.jsonFields], in: bench) }
        #expect(notAnObject?.line == 1 && notAnObject?.reason.hasPrefix("json_fields: ") == true)
        let tooLong = refusal { _ = try load(["{\"prompt\": \"\(String(repeating: "p", count: 125))\", \"completion\": \"x\"}"],
                                             maxNewTokens: 8, in: bench) }
        #expect(tooLong?.reason.contains("exceeds the model's") == true, "\(String(describing: tooLong))")
        #expect(throws: DatasetError.self) { _ = try load(["{\"prompt\": \"a\"}"], in: bench) }
    }

    @Test func chatRecordsEndWithTheReferenceAfterAUserTurn() throws {
        func split(_ messages: [(String, String)]) throws -> TaskRecordSplit {
            try TaskRecordSplit(.chat(messages.map { ChatMessage(role: $0.0, content: $0.1) }), fail: { EvalError.invalidTaskRecord(file: "f", line: 1, reason: $0) })
        }
        let record = try split([("system", "Be brief."), ("user", "Hi?"), ("assistant", "Hello."), ("user", "Name?"), ("assistant", "Quench.")])
        #expect(record.reference == "Quench." && record.shownPrompt == "Name?")
        guard case .chat(let prompt) = record.prompt else { Issue.record("expected a chat prompt"); return }
        #expect(prompt.map(\.role) == ["system", "user", "assistant", "user"])
        for (messages, expected) in [([("user", "Hi?")], "last turn must be the assistant's answer"),
                                     ([("user", "Hi?"), ("assistant", " ")], "the last assistant turn is empty"),
                                     ([("system", "s"), ("assistant", "a")], "must be a user turn"),
                                     ([("user", ""), ("assistant", "a")], "the prompt is empty")] {
            #expect(throws: EvalError.self, "\(expected)") { _ = try split(messages) }
            #expect((try? split(messages)) == nil)
            do { _ = try split(messages) } catch { #expect("\(error)".contains(expected), "\(error)") }
        }
    }

    @Test func aSetIsCheckedBeforeAnyModelIsRead() throws {
        let bench = try GateTests.Workbench()
        defer { bench.cleanUp() }
        let settings = GenerationSettings(metrics: [.jsonValid])
        #expect(throws: EvalError.self) { try GenerativeSetSource(file: bench.directory.appendingPathComponent("general.txt"), settings: settings).check() }
        #expect(throws: EvalError.self) { try GenerativeSetSource(file: bench.directory.appendingPathComponent("task.jsonl"), format: .text, settings: settings).check() }
        #expect(throws: EvalError.self) { try GenerativeSetSource(file: bench.directory.appendingPathComponent("task.jsonl"), settings: GenerationSettings(metrics: [])).check() }
        #expect(throws: EvalError.self) { try GenerativeSetSource(file: bench.directory.appendingPathComponent("task.jsonl"), settings: GenerationSettings(metrics: [.jsonValid, .jsonValid])).check() }
        #expect(throws: EvalError.self) { try GenerativeSetSource(file: bench.directory.appendingPathComponent("task.jsonl"), settings: GenerationSettings(metrics: [.jsonValid], maxNewTokens: 0)).check() }
        #expect(throws: EvalError.self) { try GenerativeSetSource(file: bench.directory.appendingPathComponent("task.jsonl"), settings: GenerationSettings(metrics: [.jsonValid], stop: [""])).check() }
        try GenerativeSetSource(file: bench.directory.appendingPathComponent("task.jsonl"), settings: settings).check()
    }

    @Test func metricSpecsFromTheCommandLine() throws {
        #expect(try TaskMetric(spec: "exact_match") == .exactMatch(TextMatchOptions()))
        #expect(try TaskMetric(spec: "exact_match:ignore_case,ignore_punctuation,no_strip")
                == .exactMatch(TextMatchOptions(strip: false, ignoreCase: true, ignorePunctuation: true)))
        #expect(try TaskMetric(spec: "contains:ignore_case") == .contains(TextMatchOptions(ignoreCase: true)))
        #expect(try TaskMetric(spec: "json_fields") == .jsonFields)
        for bad in ["exact", "json_valid:strip", "exact_match:ignore_numbers", ""] {
            #expect(throws: EvalError.self, "\(bad)") { _ = try TaskMetric(spec: bad) }
        }
    }
}
