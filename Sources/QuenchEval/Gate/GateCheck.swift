import Foundation

/// One threshold applied to one set: what was measured, the limit, and whether it held.
public struct GateCheck: Codable, Sendable, Equatable {
    /// The threshold's key: `max_perplexity`, `max_loss`, `min_improvement`, `max_regression`, `min_tokens`.
    public let name: String
    /// The evaluation set's name.
    public let set: String
    /// What `value` measures, e.g. `tuned perplexity`.
    public let metric: String
    public let threshold: Double
    /// nil when the measurement is not a finite number (which never passes).
    public let value: Double?
    public let passed: Bool

    /// A check; `passed` is decided here from the threshold's direction, so a NaN never passes.
    init(name: String, set: String, metric: String, threshold: Double, value: Double, atMost: Bool) {
        self.name = name
        self.set = set
        self.metric = metric
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

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.4g", value)
    }
}

/// The checks a gate's thresholds make on a set's results.
enum GateChecks {
    /// Every check of `thresholds` on every set: token counts on all sets, perplexity, loss and
    /// improvement on task sets, regression on general sets. Tuned-model values when there is a
    /// tuned model, the base model's otherwise.
    static func make(_ thresholds: GateConfig.Thresholds, sets: [GateConfig.EvalSet],
                     results: [SetComparison]) -> [GateCheck] {
        var checks: [GateCheck] = []
        for (set, result) in zip(sets, results) {
            let measured = result.tuned ?? result.base
            if let minimum = thresholds.minTokens {
                checks.append(GateCheck(name: "min_tokens", set: set.name, metric: "tokens scored",
                                        threshold: Double(minimum), value: Double(measured.tokensScored), atMost: false))
            }
            switch set.role {
            case .task:
                if let maximum = thresholds.maxPerplexity {
                    checks.append(GateCheck(name: "max_perplexity", set: set.name, metric: "tuned perplexity",
                                            threshold: maximum, value: measured.perplexity, atMost: true))
                }
                if let maximum = thresholds.maxLoss {
                    checks.append(GateCheck(name: "max_loss", set: set.name, metric: "tuned mean loss",
                                            threshold: maximum, value: measured.meanLoss, atMost: true))
                }
                if let minimum = thresholds.minImprovement {
                    checks.append(GateCheck(name: "min_improvement", set: set.name,
                                            metric: "relative loss improvement (base − tuned) / base",
                                            threshold: minimum, value: -(result.relativeLossChange ?? 0), atMost: false))
                }
            case .general:
                if let maximum = thresholds.maxRegression {
                    checks.append(GateCheck(name: "max_regression", set: set.name,
                                            metric: "relative loss increase (tuned − base) / base",
                                            threshold: maximum, value: result.relativeLossChange ?? 0, atMost: true))
                }
            }
        }
        return checks
    }
}
