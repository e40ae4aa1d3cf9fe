import Foundation
import QuenchGate
import QuenchGovernance

/// A generative set on which the gate failed an accuracy check, with a few of the tuned model's
/// wrong answers on it: what a rejected run's reports show right under the headline.
struct RejectedTaskSet {
    let set: String
    /// The failed checks' explanations ("min_accuracy on answers: tuned json_fields accuracy 0.02 < 0.8").
    let checks: [String]
    /// Up to `GateTaskResult.failingExampleLimit` of the tuned model's wrong answers, in file order,
    /// scrubbed then cut as gate.json keeps them.
    let examples: [GateTaskResult.FailingExample]

    /// The checks the gate applies to accuracies (the others are about loss and perplexity).
    static let accuracyCheckNames: Set<String> = ["min_accuracy", "min_accuracy_gain", "max_accuracy_drop"]

    /// The sets with a failed accuracy check, in the order of their first failed check; empty when the
    /// gate passed, did not run, or failed only on loss checks. Each text goes through `scrub` before
    /// it is cut, so a cut never leaves part of a secret the whole-file scrub would no longer recognise.
    static func all(gate: GateStage.Output?, evaluation: EvaluateStage.Output?,
                    scrub: (String) -> String = SecretScrubber().scrub) -> [RejectedTaskSet] {
        guard let gate, !gate.passed else { return [] }
        let failed = gate.checks.filter { !$0.passed && accuracyCheckNames.contains($0.name) }
        var names: [String] = []
        for check in failed where !names.contains(check.set) { names.append(check.set) }
        return names.map { name in
            let checks = failed.filter { $0.set == name }, metrics = checks.compactMap(\.taskMetric)
            let wrong = evaluation?.evaluation.tasks.first { $0.name == name }.map { GateTaskResult.failing($0, metrics: metrics) } ?? []
            return RejectedTaskSet(set: name, checks: checks.map(\.explanation),
                                   examples: wrong.map { .init($0, metrics: metrics, scrub: scrub) })
        }
    }
}
