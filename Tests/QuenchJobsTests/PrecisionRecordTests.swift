import Foundation
@testable import QuenchJobs
import QuenchRegistry
import QuenchTensor
import QuenchTestSupport
import Testing

/// A job spec's `training.precision`: read with the training section, hashed into the train stage's
/// inputs when bf16, and recorded in the lineage, the train summary and the reports, which also say
/// that evaluation and the gate ran in fp32.
@Suite struct PrecisionRecordTests {
    static let hasBF16 = CPUFeatures.current.hasBF16Arithmetic

    @Test func theSpecCarriesItAndTheTrainStageHashesItOnlyWhenBF16() throws {
        let plain = try StageFixture(), fp32 = try StageFixture(precision: "fp32"), bf16 = try StageFixture(precision: "bf16")
        #expect(plain.context.spec.training.precision == .fp32)
        #expect(fp32.context.spec.training.precision == .fp32)
        #expect(bf16.context.spec.training.precision == .bf16)
        // Each fixture has its own folder: the hash of the training settings with the data paths made equal.
        func hash(_ fixture: StageFixture) -> String {
            var training = fixture.context.spec.training
            (training.data.train, training.data.validation) = ("train.jsonl", "valid.jsonl")
            return training.canonicalHash()
        }
        #expect(hash(fp32) == hash(plain))
        #expect(hash(bf16) != hash(plain))
    }

    @Test func anUnknownPrecisionIsRefusedWithTheSpecsKey() throws {
        do {
            _ = try StageFixture(precision: "fp8")
            Issue.record("training.precision: fp8 was accepted")
        } catch {
            #expect("\(error)".contains("training.precision") && "\(error)".contains("one of 'fp32', 'bf16'"), "\(error)")
        }
    }

    @Test(arguments: ["fp32", "bf16"])
    func theLineageRecordsThePrecisionEvenWhenItIsTheDefault(_ precision: String) throws {
        let fixture = try StageFixture(precision: precision == "fp32" ? nil : precision)
        let finished = try fixture.run(through: .data)
        let lineage = try RunLineage(fetch: try #require(finished.fetch), verify: try #require(finished.verify),
                                     data: try #require(finished.data)).lineage(fixture.context)
        guard case .object(let settings) = lineage.hyperparameters else {
            Issue.record("hyperparameters are not an object: \(lineage.hyperparameters)")
            return
        }
        #expect(settings["precision"] == .string(precision))
        #expect(settings["method"] == .string("lora"))
    }

    @Test func theReportsSayTrainingsPrecisionAndThatEvaluationRanInFP32() throws {
        let fixture = try StageFixture(precision: "bf16")
        let finished = try fixture.run(through: .fetch)
        let now = Date()
        let state = RunState(job: "stage-job", spec: fixture.context.spec.file, specSHA256: fixture.context.spec.sha256,
                             quenchVersion: "test", createdAt: now, updatedAt: now, status: .failed, pid: nil, stages: [])
        let output = try ReportStage(context: fixture.context, state: state, failure: "stopped", finished: finished).run { _ in }
        let sentence = "Precision: training bf16; evaluation and gate fp32 (the reproducible reference)"
        for file in [output.markdown, output.html] {
            #expect(try String(contentsOfFile: file, encoding: .utf8).contains(sentence), "\(file)")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.json)))
                                as? [String: Any])
        let recorded = try #require(json["precision"] as? [String: String])
        #expect(recorded == ["training": "bf16", "evaluation": "fp32"])
        let configuration = try #require(json["training_configuration"] as? [String: Any])
        #expect(configuration["precision"] as? String == "bf16")
    }

    @Test(.enabled(if: hasBF16, "needs a CPU with AVX512_BF16 or AMX-BF16"))
    func aBF16JobTrainsInBF16AndIsEvaluatedInFP32() throws {
        let fixture = try StageFixture(precision: "bf16")
        let finished = try fixture.run(through: .evaluate)
        let train = try #require(finished.train), evaluate = try #require(finished.evaluate)
        #expect(train.summary.precision == .bf16)
        #expect(train.summary.finalLoss.isFinite)
        #expect(TrainStage.summary(train).contains("tokens/s in bf16"))
        #expect(evaluate.evaluation.precision == .fp32)
        let report = RunReport.StagePrecisions(training: fixture.context.spec.training, trained: train, evaluated: evaluate)
        #expect(report.training == .bf16 && report.evaluation == .fp32)
    }
}
