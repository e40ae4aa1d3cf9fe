import Foundation
@testable import QuenchJobs
@testable import QuenchRegistry
import QuenchTestSupport
import Testing

/// The lineage a run registers carries its training curve from metrics.jsonl, in the form the
/// registry accepts (finite numbers, increasing steps, at most its limit of points).
@Suite struct RunLineageCurveTests {
    @Test func theLineageCarriesTheTrainingsCurveFromItsMetrics() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .train)
        let fetch = try #require(finished.fetch), verify = try #require(finished.verify), data = try #require(finished.data)
        let train = try #require(finished.train)
        let lineage = try RunLineage(fetch: fetch, verify: verify, data: data, metrics: train.metrics).lineage(fixture.context)
        let curve = try #require(lineage.trainingCurve)
        let logged = TrainingCurve.read(metrics: URL(fileURLWithPath: train.metrics)).points
        #expect(!curve.isEmpty)
        #expect(curve.map(\.step) == logged.map(\.step))
        #expect(curve.map(\.loss) == logged.map(\.loss))
        try lineage.validateTrainingCurve()
        #expect(try RunLineage(fetch: fetch, verify: verify, data: data).lineage(fixture.context).trainingCurve == nil)
    }

    @Test func aLongCurveIsThinnedToTheLimitKeepingItsLastStepAndANonFiniteValidationLossIsLeftOut() throws {
        let points = (1...1_000).map { step in
            TrainingCurve.Point(step: step, loss: 1 / Double(step), learningRate: 1e-4,
                                validationLoss: step == 500 ? .nan : (step % 100 == 0 ? 0.5 : nil))
        }
        let curve = TrainingCurve(points: points)
        let kept = curve.lineagePoints(limit: 1_000)
        #expect(kept.count == 1_000)
        #expect(kept.first { $0.step == 500 }?.validationLoss == nil)
        #expect(kept.first { $0.step == 600 }?.validationLoss == 0.5)
        for limit in [2, 3, 7, 100, 999] {
            let thinned = curve.lineagePoints(limit: limit)
            #expect(thinned.count <= limit, "limit \(limit)")
            #expect(thinned.first?.step == 1 && thinned.last?.step == 1_000, "limit \(limit)")
            #expect(zip(thinned, thinned.dropFirst()).allSatisfy { $0.step < $1.step }, "limit \(limit)")
        }
    }
}
