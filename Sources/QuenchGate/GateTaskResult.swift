import Foundation

/// One generative set as the gate saw it: its metrics, each model's accuracies, and when a check on
/// it failed, a few of the tuned model's wrong answers so the reader sees what went wrong.
public struct GateTaskResult: Codable, Sendable, Equatable {
    /// One wrong answer, each text scrubbed of secrets and cut to `FailingExample.maximumCharacters`.
    public struct FailingExample: Codable, Sendable, Equatable {
        /// The record's line in the set's file (1-based).
        public let line: Int
        public let prompt: String
        public let expected: String
        public let got: String
        /// The metric that scored it wrong, and why.
        public let reason: String

        /// Longest text kept of a prompt, reference, answer or reason; a longer one ends with "…".
        public static let maximumCharacters = 300

        /// `example` as a report shows it: every text passed through `scrub`, then cut; the reason is
        /// the first of `metrics` (all of the set's when empty) that scored it wrong.
        public init(_ example: TaskExample, metrics: [String] = [], scrub: (String) -> String) {
            func shown(_ text: String) -> String { TaskExample.shown(text, scrub: scrub, limit: Self.maximumCharacters) }
            line = example.line
            prompt = shown(example.prompt)
            expected = shown(example.reference)
            got = shown(example.answer)
            reason = shown(example.failure(among: metrics) ?? "wrong")
        }
    }

    public let name: String
    public let role: GateSetRole
    /// The set's file, absolute.
    public let path: String
    public let metrics: [TaskMetric]
    public let maxNewTokens: Int
    public let base: [MetricAccuracy]
    /// nil when only the base model was evaluated.
    public let tuned: [MetricAccuracy]?
    /// Empty unless a check on this set failed.
    public let failingExamples: [FailingExample]

    enum CodingKeys: String, CodingKey {
        case name, role, path, metrics, base, tuned
        case maxNewTokens = "max_new_tokens", failingExamples = "failing_examples"
    }

    /// Most failing examples a gate report keeps per set.
    public static let failingExampleLimit = 3

    /// The record of `comparison` for a set of `role`; with `failedMetrics` (the metrics of its failed
    /// checks), up to `failingExampleLimit` of the tuned model's answers those metrics scored wrong
    /// (in file order), passed through `scrub`.
    public init(role: GateSetRole, comparison: TaskComparison, failedMetrics: [String], scrub: (String) -> String) {
        name = comparison.name
        self.role = role
        path = comparison.path
        metrics = comparison.metrics
        maxNewTokens = comparison.maxNewTokens
        base = comparison.base.accuracies
        tuned = comparison.tuned?.accuracies
        failingExamples = Self.failing(comparison, metrics: failedMetrics).map { FailingExample($0, metrics: failedMetrics, scrub: scrub) }
    }

    /// Up to `failingExampleLimit` of the tuned model's answers that one of `metrics` scored wrong, in
    /// file order; none without metrics or a tuned model.
    public static func failing(_ comparison: TaskComparison, metrics: [String]) -> [TaskExample] {
        guard !metrics.isEmpty else { return [] }
        let wrong = (comparison.tuned?.examples ?? []).filter { $0.failure(among: metrics) != nil }
        return Array(wrong.prefix(failingExampleLimit))
    }
}
