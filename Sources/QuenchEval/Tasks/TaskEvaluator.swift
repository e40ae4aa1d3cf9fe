import Foundation
import QuenchGate
import QuenchModel
import QuenchTokenizer

/// Answers every prompt of a generative set with one model (greedy, batched over the key/value
/// cache), cuts each answer at the set's stop sequences, and scores it with the set's metrics.
public enum TaskEvaluator {
    /// The answers and accuracies of `model` (adapters merged; see `ModelEvaluation`) on `set`.
    /// - Throws: the generator's refusals (a prompt too long, memory) or a tokenizer error.
    public static func evaluate(model: CausalLM, set: GenerativeEvalSet,
                                progress: (String) -> Void = { _ in }) throws -> TaskResult {
        let settings = set.settings, tokenizer = set.tokenizer
        let generator = GreedyBatchGenerator(model: model, batchSize: settings.batchSize)
        let stops = StopSequences(settings.stop, tokenizer: tokenizer)
        let started = Date()
        let total = set.examples.count
        let sequences = try generator.generate(
            prompts: set.examples.map(\.promptIDs), maxNewTokens: settings.maxNewTokens, stopTokens: set.stopTokens,
            shouldStop: { _, generated in stops.reached(in: generated) },
            progress: { finished in progress("\(set.name): \(finished)/\(total) answers") })
        let seconds = Date().timeIntervalSince(started)
        var examples: [TaskExample] = []
        examples.reserveCapacity(total)
        for (example, sequence) in zip(set.examples, sequences) {
            let answer = stops.cut(AnswerText.text(of: sequence.tokens, tokenizer: tokenizer))
            let stop: GenerationStop
            switch sequence.end {
            case .stopToken: stop = .endOfTurn
            case .caller: stop = .stopSequence
            case .length: stop = .length
            }
            examples.append(TaskExample(line: example.line, prompt: example.shownPrompt, reference: example.reference,
                                        answer: answer, stop: stop, generatedTokens: sequence.tokens.count,
                                        outcomes: example.scorers.map { $0.score(answer) }))
        }
        return TaskResult(metrics: settings.metrics, examples: examples, precision: model.engine.precision.rawValue,
                          promptTokens: set.examples.reduce(0) { $0 + $1.promptIDs.count },
                          generatedTokens: sequences.reduce(0) { $0 + $1.tokens.count }, seconds: seconds)
    }
}

/// The stop sequences of a set: whether generated text has reached one, and the answer cut before it.
struct StopSequences {
    let sequences: [String]
    let tokenizer: BPETokenizer
    /// Tokens at the end of an answer that can hold a whole stop sequence (every token is at least one byte).
    private let tail: Int

    init(_ sequences: [String], tokenizer: BPETokenizer) {
        (self.sequences, self.tokenizer) = (sequences, tokenizer)
        // The longest stop sequence, plus the three bytes a character cut at the tail's start may lose.
        tail = (sequences.map(\.utf8.count).max() ?? 0) + 4
    }

    /// Whether the text of `generated` has reached a stop sequence. Checked after every token, so a
    /// stop sequence first appears within the last tokens: only those are decoded, without the
    /// continuation bytes of a character cut at the tail's start (which would read as U+FFFD).
    func reached(in generated: [Int32]) -> Bool {
        guard !sequences.isEmpty else { return false }
        let bytes = AnswerText.bytes(of: generated.suffix(tail), tokenizer: tokenizer)
        let start = bytes.prefix(3).firstIndex { $0 & 0xC0 != 0x80 } ?? min(3, bytes.count)
        return firstStop(in: String(decoding: bytes[start...], as: UTF8.self)) != nil
    }

    /// `text` up to the earliest stop sequence in it (all of it when none occurs).
    func cut(_ text: String) -> String {
        firstStop(in: text).map { String(text[..<$0]) } ?? text
    }

    private func firstStop(in text: String) -> String.Index? {
        sequences.compactMap { text.range(of: $0)?.lowerBound }.min()
    }
}
