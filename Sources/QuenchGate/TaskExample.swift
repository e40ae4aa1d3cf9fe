import Foundation

/// Why generation of one answer ended.
public enum GenerationStop: String, Codable, Sendable, CaseIterable {
    /// The model produced its EOS token or the chat template's end-of-turn token.
    case endOfTurn = "end_of_turn"
    /// The answer reached one of the set's stop sequences (cut before it).
    case stopSequence = "stop_sequence"
    /// `max_new_tokens` were generated without a stop.
    case length
}

/// One metric's verdict on one answer.
public struct MetricOutcome: Codable, Sendable, Equatable {
    /// The metric's name (`TaskMetric.name`).
    public let metric: String
    public let correct: Bool
    /// Why it is wrong, for people ("not valid JSON at byte 14", "field 'years': 41 ≠ 42"); nil when right.
    public let reason: String?
    /// json_fields only: each reference field and whether the answer had it equal.
    public let fields: [String: Bool]?

    /// An outcome.
    public init(metric: String, correct: Bool, reason: String? = nil, fields: [String: Bool]? = nil) {
        (self.metric, self.correct, self.reason, self.fields) = (metric, correct, reason, fields)
    }
}

/// One example of a generative set as one model answered it.
public struct TaskExample: Codable, Sendable, Equatable {
    /// The record's line in the set's file (1-based).
    public let line: Int
    /// The prompt as people read it: the last user turn of a chat record, or the prompt text.
    public let prompt: String
    public let reference: String
    /// The generated text, cut at a stop sequence, without the end-of-turn token.
    public let answer: String
    public let stop: GenerationStop
    public let generatedTokens: Int
    /// One outcome per metric of the set, in the set's order.
    public let outcomes: [MetricOutcome]

    enum CodingKeys: String, CodingKey {
        case line, prompt, reference, answer, stop, outcomes
        case generatedTokens = "generated_tokens"
    }

    /// An example's record.
    public init(line: Int, prompt: String, reference: String, answer: String, stop: GenerationStop,
                generatedTokens: Int, outcomes: [MetricOutcome]) {
        (self.line, self.prompt, self.reference, self.answer) = (line, prompt, reference, answer)
        (self.stop, self.generatedTokens, self.outcomes) = (stop, generatedTokens, outcomes)
    }

    /// Right when every metric of the set scored it right.
    public var correct: Bool { outcomes.allSatisfy(\.correct) }

    /// The first reason it is wrong, with the stop reason when generation ran out of tokens.
    public var failure: String? { failure(among: []) }

    /// The first reason one of `metrics` (every metric when empty) scored it wrong, with the stop
    /// reason when generation ran out of tokens; nil when those metrics scored it right.
    public func failure(among metrics: [String]) -> String? {
        guard let first = outcomes.first(where: { !$0.correct && (metrics.isEmpty || metrics.contains($0.metric)) }) else {
            return nil
        }
        let reason = "\(first.metric): \(first.reason ?? "wrong")"
        return stop == .length ? reason + " (generation hit max_new_tokens)" : reason
    }
}
