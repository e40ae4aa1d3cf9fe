import Foundation
import QuenchGate

extension GateChecks {
    /// Every accuracy check of `thresholds` on every generative set, per metric of the set that a
    /// threshold names: `min_accuracy` (tuned accuracy) and `min_accuracy_gain` (tuned − base) on task
    /// sets, `max_accuracy_drop` (base − tuned) on general sets. Without a tuned result the value is
    /// not a number, which never passes.
    static func accuracy(_ thresholds: GateConfig.Thresholds, tasks: [EvaluatedTask]) -> [GateCheck] {
        var checks: [GateCheck] = []
        for task in tasks {
            let (set, comparison) = (task.set, task.comparison)
            for metric in comparison.metrics {
                let (name, label) = (metric.name, metric.label)
                let before = comparison.base.accuracy(of: name)?.accuracy ?? .nan
                let after = comparison.tuned?.accuracy(of: name)?.accuracy ?? .nan
                switch set.role {
                case .task:
                    if let minimum = thresholds.minAccuracy[name] {
                        checks.append(GateCheck(name: "min_accuracy", set: set.name, metric: "tuned \(label) accuracy",
                                                threshold: minimum, value: after, atMost: false, taskMetric: name))
                    }
                    if let minimum = thresholds.minAccuracyGain[name] {
                        checks.append(GateCheck(name: "min_accuracy_gain", set: set.name,
                                                metric: "accuracy gain in \(label) (tuned − base)",
                                                threshold: minimum, value: after - before, atMost: false,
                                                taskMetric: name))
                    }
                case .general:
                    if let maximum = thresholds.maxAccuracyDrop[name] {
                        checks.append(GateCheck(name: "max_accuracy_drop", set: set.name,
                                                metric: "accuracy drop in \(label) (base − tuned)",
                                                threshold: maximum, value: before - after, atMost: true,
                                                taskMetric: name))
                    }
                }
            }
        }
        return checks
    }
}
