import Foundation
import QuenchFiles
import QuenchHTML
import QuenchRegistry

/// The per-step losses of a training run, read from its metrics.jsonl, for the report's chart.
public struct TrainingCurve: Codable, Sendable, Equatable {
    /// One step's numbers.
    public struct Point: Codable, Sendable, Equatable {
        public let step: Int
        public let loss: Double
        public let learningRate: Double
        /// Present on the steps where validation ran.
        public let validationLoss: Double?

        enum CodingKeys: String, CodingKey {
            case step, loss
            case learningRate = "lr", validationLoss = "validation_loss"
        }
    }

    public let points: [Point]

    /// Reads metrics.jsonl; lines that are not step records are skipped, and a resumed run's repeated
    /// steps keep the last record, so the curve matches what the final weights went through.
    public static func read(metrics url: URL) -> TrainingCurve {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return TrainingCurve(points: []) }
        var byStep: [Int: Point] = [:]
        for line in text.split(separator: "\n") {
            guard let point = try? JSONCoding.decoder.decode(Point.self, from: Data(line.utf8)),
                  point.loss.isFinite else { continue }
            byStep[point.step] = point
        }
        return TrainingCurve(points: byStep.values.sorted { $0.step < $1.step })
    }

    /// The points as the loss chart draws them.
    var chartPoints: [LossChartSVG.Point] {
        points.map { LossChartSVG.Point(step: $0.step, loss: $0.loss, validationLoss: $0.validationLoss) }
    }

    /// The curve as a version's lineage records it: a non-finite validation loss left out (the step's
    /// training loss stays), and a curve longer than the registry keeps thinned to every n-th step, the
    /// last step always kept.
    func lineagePoints(limit: Int = Lineage.trainingCurveLimit) -> [LossPoint] {
        let kept = points.map { LossPoint(step: $0.step, loss: $0.loss, validationLoss: $0.validationLoss.flatMap { $0.isFinite ? $0 : nil }) }
        guard kept.count > limit, limit > 1 else { return kept }
        let stride = (kept.count + limit - 2) / (limit - 1)
        var thinned = Swift.stride(from: 0, to: kept.count - 1, by: stride).map { kept[$0] }
        if let last = kept.last { thinned.append(last) }
        return thinned
    }
}
