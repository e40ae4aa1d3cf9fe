import Foundation

/// One metric's accuracy on one generative set, and for json_fields the accuracy of each field.
public struct MetricAccuracy: Codable, Sendable, Equatable {
    public let metric: TaskMetric
    public let statistic: AccuracyStatistic
    /// json_fields only: per reference field name, how often the answer had it equal (over the
    /// examples whose reference has that field).
    public let fields: [String: AccuracyStatistic]?

    /// An accuracy.
    public init(metric: TaskMetric, statistic: AccuracyStatistic, fields: [String: AccuracyStatistic]? = nil) {
        (self.metric, self.statistic, self.fields) = (metric, statistic, fields)
    }

    /// The accuracies of `metrics` over `examples` (each example's outcomes in the metrics' order).
    public static func measure(_ metrics: [TaskMetric], examples: [TaskExample]) -> [MetricAccuracy] {
        metrics.enumerated().map { index, metric in
            let outcomes = examples.compactMap { $0.outcomes.indices.contains(index) ? $0.outcomes[index] : nil }
            var fields: [String: AccuracyStatistic]?
            if case .jsonFields = metric {
                var tallies: [String: [Bool]] = [:]
                for outcome in outcomes { for (field, equal) in outcome.fields ?? [:] { tallies[field, default: []].append(equal) } }
                fields = tallies.mapValues(AccuracyStatistic.init)
            }
            return MetricAccuracy(metric: metric, statistic: AccuracyStatistic(outcomes.map(\.correct)), fields: fields)
        }
    }
}

/// One model's answers on one generative set: every example, each metric's accuracy, and the throughput.
public struct TaskResult: Codable, Sendable, Equatable {
    public let accuracies: [MetricAccuracy]
    public let examples: [TaskExample]
    /// The precision the model's matrix products ran in ("fp32" or "bf16").
    public let precision: String
    public let promptTokens: Int
    public let generatedTokens: Int
    /// Wall-clock seconds of prefill and decoding.
    public let seconds: Double

    enum CodingKeys: String, CodingKey {
        case accuracies, examples, precision, seconds
        case promptTokens = "prompt_tokens", generatedTokens = "generated_tokens"
    }

    /// A result; accuracies are measured from the examples.
    public init(metrics: [TaskMetric], examples: [TaskExample], precision: String, promptTokens: Int,
                generatedTokens: Int, seconds: Double) {
        accuracies = MetricAccuracy.measure(metrics, examples: examples)
        (self.examples, self.precision, self.promptTokens) = (examples, precision, promptTokens)
        (self.generatedTokens, self.seconds) = (generatedTokens, seconds)
    }

    /// The accuracy of the metric named `name`, nil when the set does not compute it.
    public func accuracy(of name: String) -> AccuracyStatistic? {
        accuracies.first { $0.metric.name == name }?.statistic
    }

    /// Examples per second and generated tokens per second.
    public var promptsPerSecond: Double { seconds > 0 ? Double(examples.count) / seconds : 0 }
    public var tokensPerSecond: Double { seconds > 0 ? Double(generatedTokens) / seconds : 0 }
}

/// A generative set's results: the base model's, the tuned model's on the same prompts, and what changed.
public struct TaskComparison: Codable, Sendable, Equatable {
    public let name: String
    /// The set's file, absolute.
    public let path: String
    public let metrics: [TaskMetric]
    public let maxNewTokens: Int
    /// The stop sequences the answers were cut at.
    public let stop: [String]
    public let base: TaskResult
    public let tuned: TaskResult?

    enum CodingKeys: String, CodingKey {
        case name, path, metrics, base, tuned, stop
        case maxNewTokens = "max_new_tokens"
    }

    /// A comparison; `tuned` is nil when only one model was evaluated.
    public init(name: String, path: String, metrics: [TaskMetric], maxNewTokens: Int, stop: [String] = [], base: TaskResult,
                tuned: TaskResult?) {
        (self.name, self.path, self.metrics, self.maxNewTokens, self.stop) = (name, path, metrics, maxNewTokens, stop)
        (self.base, self.tuned) = (base, tuned)
    }

    /// Reads a comparison; one written before stop sequences were recorded had none.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), path: try container.decode(String.self, forKey: .path),
                  metrics: try container.decode([TaskMetric].self, forKey: .metrics),
                  maxNewTokens: try container.decode(Int.self, forKey: .maxNewTokens),
                  stop: try container.decodeIfPresent([String].self, forKey: .stop) ?? [],
                  base: try container.decode(TaskResult.self, forKey: .base),
                  tuned: try container.decodeIfPresent(TaskResult.self, forKey: .tuned))
    }

    /// tuned − base accuracy of the metric named `name`; nil without a tuned model or the metric.
    public func accuracyChange(of name: String) -> Double? {
        guard let after = tuned?.accuracy(of: name), let before = base.accuracy(of: name) else { return nil }
        return after.accuracy - before.accuracy
    }

    /// Examples (paired by line) that were wrong with the base and right with the tuned model, and
    /// the ones that went the other way; at most `limit` of each, in file order.
    public func changedExamples(limit: Int) -> (improved: [(base: TaskExample, tuned: TaskExample)],
                                                 regressed: [(base: TaskExample, tuned: TaskExample)]) {
        guard let tuned else { return ([], []) }
        let pairs = zip(base.examples, tuned.examples).filter { $0.line == $1.line }
        let improved = pairs.filter { !$0.correct && $1.correct }.prefix(limit).map { (base: $0.0, tuned: $0.1) }
        let regressed = pairs.filter { $0.correct && !$1.correct }.prefix(limit).map { (base: $0.0, tuned: $0.1) }
        return (Array(improved), Array(regressed))
    }
}
