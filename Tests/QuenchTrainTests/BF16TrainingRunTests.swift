import Foundation
import QuenchModel
import QuenchTensor
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// A whole `Trainer` run on tiny-llama in `precision: bf16` ends close to the same run in fp32:
/// bf16 rounds the GEMM inputs (8 significant bits) but accumulates, normalises and optimises in
/// fp32, so after a few steps the loss moves by well under 2%.
@Suite struct BF16TrainingRunTests {
    static let hasBF16 = CPUFeatures.current.hasBF16Arithmetic

    /// The summary of `method` trained for 4 steps on arithmetic records in `precision`.
    func train(_ method: TrainingConfig.Method, _ precision: Precision, in folder: URL) throws -> TrainingSummary {
        let (config, model) = try configuration(method, precision, in: folder)
        return try Trainer(config: config, bundle: try ModelBundle.open(model), quenchVersion: "test").run()
    }

    /// tiny-llama and arithmetic records in `folder`, and a 4-step configuration training them.
    func configuration(_ method: TrainingConfig.Method, _ precision: Precision,
                       in folder: URL) throws -> (TrainingConfig, model: URL) {
        let model = try TinyLlamaFixture.copy(into: folder)
        let data = folder.appendingPathComponent("train.jsonl")
        let lines = (0..<24).map { i in #"{"prompt": "\#(i)+\#(i)=", "completion": "\#(2 * i)."}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        var config = TrainingConfig(
            model: model.path, output: folder.appendingPathComponent("\(method)-\(precision)").path, method: method,
            lora: .init(rank: 4, alpha: 8), data: .init(train: data.path, format: .promptCompletion, maxSequenceLength: 32),
            optimizer: .init(learningRate: 1e-3), batchSize: 4, maxSteps: 4, epochs: nil, precision: precision)
        config.checkpointEvery = 2
        return (config, model)
    }

    @Test(.enabled(if: hasBF16, "needs a CPU with AVX512_BF16 or AMX-BF16"),
          arguments: [TrainingConfig.Method.full, .lora])
    func bf16LossStaysWithinTwoPercentOfFP32(_ method: TrainingConfig.Method) throws {
        let folder = try TemporaryDirectory.create("bf16-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let fp32 = try train(method, .fp32, in: folder.appendingPathComponent("fp32"))
        let bf16 = try train(method, .bf16, in: folder.appendingPathComponent("bf16"))
        #expect(fp32.precision == .fp32 && bf16.precision == .bf16)
        #expect(bf16.steps == fp32.steps)
        #expect(bf16.finalLoss.isFinite && bf16.finalLoss > 0)
        let relative = abs(bf16.finalLoss - fp32.finalLoss) / fp32.finalLoss
        #expect(relative < 2e-2, "\(method): bf16 loss \(bf16.finalLoss), fp32 \(fp32.finalLoss)")
        #expect(bf16.finalLoss != fp32.finalLoss, "bf16 products must round differently from fp32")
    }

    /// Resuming from the step-2 checkpoint re-converts the restored fp32 masters to bf16, so the run
    /// ends with the same weights, bit for bit, as the uninterrupted one.
    @Test(.enabled(if: hasBF16, "needs a CPU with AVX512_BF16 or AMX-BF16"),
          arguments: [TrainingConfig.Method.full, .lora])
    func bf16ResumesBitForBit(_ method: TrainingConfig.Method) throws {
        let folder = try TemporaryDirectory.create("bf16-resume")
        defer { try? FileManager.default.removeItem(at: folder) }
        var (config, model) = try configuration(method, .bf16, in: folder)
        let straight = try Trainer(config: config, bundle: try ModelBundle.open(model), quenchVersion: "test").run()

        let resumed = folder.appendingPathComponent("resumed")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: config.output), to: resumed)
        let checkpoints = resumed.appendingPathComponent("checkpoints")
        try FileManager.default.removeItem(at: checkpoints.appendingPathComponent("checkpoint-00000004"))
        try Data("checkpoint-00000002".utf8).write(to: checkpoints.appendingPathComponent("latest"))
        try FileManager.default.removeItem(at: resumed.appendingPathComponent(Trainer.artifactsFolder(for: method)))
        config.output = resumed.path
        let again = try Trainer(config: config, bundle: try ModelBundle.open(model), quenchVersion: "test").run(resume: true)
        #expect(again.resumedFromStep == 2 && again.precision == .bf16)
        #expect(again.finalLoss == straight.finalLoss)
        let weights = method == .lora ? "adapter_model.safetensors" : "model.safetensors"
        let expected = try Data(contentsOf: URL(fileURLWithPath: straight.output).appendingPathComponent(weights))
        #expect(try Data(contentsOf: URL(fileURLWithPath: again.output).appendingPathComponent(weights)) == expected)
    }
}
