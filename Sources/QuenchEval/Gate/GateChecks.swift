import Foundation
import QuenchGate

/// One set of a gate with the results measured on it, matched by the set's name and file: a loss
/// set's `SetComparison` or a generative set's `TaskComparison`.
public struct Evaluated<Comparison: Sendable>: Sendable {
    public let set: GateConfig.EvalSet
    public let comparison: Comparison

    /// The set with its results.
    public init(set: GateConfig.EvalSet, comparison: Comparison) {
        self.set = set
        self.comparison = comparison
    }
}

/// A loss set with its loss and perplexity.
public typealias EvaluatedSet = Evaluated<SetComparison>
/// A generative set with its answers and accuracies.
public typealias EvaluatedTask = Evaluated<TaskComparison>

extension Evaluated where Comparison == SetComparison {
    /// The set as gate.json records it: its role, format and results.
    public var result: GateReport.SetResult {
        GateReport.SetResult(role: set.role, format: set.format?.rawValue ?? (set.source.isText ? "txt" : "auto"),
                             comparison: comparison)
    }
}

extension Evaluated where Comparison == TaskComparison {
    /// The set as gate.json records it; with `failedMetrics` (the metrics of its failed checks), a few
    /// of the tuned model's answers they scored wrong, passed through `scrub`.
    public func result(failedMetrics: [String], scrub: (String) -> String) -> GateTaskResult {
        GateTaskResult(role: set.role, comparison: comparison, failedMetrics: failedMetrics, scrub: scrub)
    }
}

/// The checks a gate's thresholds make on a set's results.
enum GateChecks {
    /// Every check of `thresholds` on every set: token counts on all sets, perplexity, loss and
    /// improvement on task sets, regression on general sets. Tuned-model values when there is a
    /// tuned model, the base model's otherwise.
    static func make(_ thresholds: GateConfig.Thresholds, sets: [EvaluatedSet]) -> [GateCheck] {
        var checks: [GateCheck] = []
        for evaluated in sets {
            let (set, result) = (evaluated.set, evaluated.comparison)
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
