import Foundation
import QuenchGate

/// One line of the reports' accuracy table: one metric of a generative set (or one field of its
/// json_fields metric), the base model's accuracy, the tuned model's, and the change.
struct TaskAccuracyRow: Encodable {
    let set: String
    /// The metric's label ("exact_match(strip, ignore_case)"), or "json_fields: <field>" for one field.
    let metric: String
    let base: AccuracyStatistic?
    let tuned: AccuracyStatistic?

    enum CodingKeys: String, CodingKey {
        case set, metric, base, tuned
        case changeInPoints = "change_in_points"
    }

    func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(set, forKey: .set)
        try container.encode(metric, forKey: .metric)
        try container.encodeIfPresent(base, forKey: .base)
        try container.encodeIfPresent(tuned, forKey: .tuned)
        try container.encodeIfPresent(changeInPoints, forKey: .changeInPoints)
    }

    /// tuned − base accuracy in percentage points; nil unless both were measured.
    var changeInPoints: Double? {
        guard let base, let tuned else { return nil }
        return (tuned.accuracy - base.accuracy) * 100
    }

    /// The rows of one set: each metric in the set's order, a json_fields metric followed by its
    /// fields in name order.
    static func rows(of comparison: TaskComparison) -> [TaskAccuracyRow] {
        comparison.metrics.flatMap { metric -> [TaskAccuracyRow] in
            let base = comparison.base.accuracies.first { $0.metric == metric }
            let tuned = comparison.tuned?.accuracies.first { $0.metric == metric }
            let fields = Set((base?.fields ?? [:]).keys).union((tuned?.fields ?? [:]).keys).sorted()
            return [TaskAccuracyRow(set: comparison.name, metric: metric.label, base: base?.statistic, tuned: tuned?.statistic)]
                + fields.map { field in
                    TaskAccuracyRow(set: comparison.name, metric: "\(metric.name): \(field)",
                                    base: base?.fields?[field], tuned: tuned?.fields?[field])
                }
        }
    }

    /// The rows of every generative set of an evaluation (none when it did not run).
    static func table(_ evaluation: EvaluateStage.Output?) -> [TaskAccuracyRow] {
        evaluation?.evaluation.tasks.flatMap(rows(of:)) ?? []
    }

    /// An accuracy as the tables show it: "0.8125 ± 0.0570 (39/48)", or "n/a".
    static func format(_ statistic: AccuracyStatistic?) -> String {
        statistic?.summary ?? "n/a"
    }

    /// A change in percentage points: "+77.1 pts", or "n/a".
    static func formatChange(_ points: Double?) -> String {
        guard let points, points.isFinite else { return "n/a" }
        return String(format: "%+.1f pts", points)
    }
}
