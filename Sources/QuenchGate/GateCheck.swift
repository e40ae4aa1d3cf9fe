import Foundation

/// One threshold applied to one set: what was measured, the limit, and whether it held.
public struct GateCheck: Codable, Sendable, Equatable {
    /// The threshold's key: `max_perplexity`, `max_loss`, `min_improvement`, `max_regression`, `min_tokens`,
    /// `min_accuracy`, `min_accuracy_gain`, `max_accuracy_drop`.
    public let name: String
    /// The evaluation set's name.
    public let set: String
    /// What `value` measures, e.g. `tuned perplexity` or `tuned json_fields accuracy`.
    public let metric: String
    public let threshold: Double
    /// nil when the measurement is not a finite number (which never passes).
    public let value: Double?
    public let passed: Bool
    /// An accuracy check's metric (`TaskMetric.name`), so a report can quote the answers that metric
    /// scored wrong; nil for loss checks (and absent from their JSON).
    public let taskMetric: String?

    enum CodingKeys: String, CodingKey {
        case name, set, metric, threshold, value, passed
        case taskMetric = "task_metric"
    }

    /// A check; `passed` is decided here from the threshold's direction, so a NaN never passes.
    package init(name: String, set: String, metric: String, threshold: Double, value: Double, atMost: Bool,
                 taskMetric: String? = nil) {
        self.name = name
        self.set = set
        self.metric = metric
        self.taskMetric = taskMetric
        self.threshold = threshold
        self.value = value.isFinite ? value : nil
        passed = value.isFinite && (atMost ? value <= threshold : value >= threshold)
    }

    /// "max_loss on chat: tuned mean loss 1.8312 > 1.5" (or ≤ when it passed).
    public var explanation: String {
        let shown = value.map { Self.format($0) } ?? "not a number"
        let atMost = name.hasPrefix("max_")
        let relation = passed ? (atMost ? "≤" : "≥") : (atMost ? ">" : "<")
        return "\(name) on \(set): \(metric) \(shown) \(relation) \(Self.format(threshold))"
    }

    /// A threshold or value as reports print it: an integer when it is one, else four significant digits.
    package static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.4g", value)
    }
}
