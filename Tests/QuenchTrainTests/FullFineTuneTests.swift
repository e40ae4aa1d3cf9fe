import Foundation
import QuenchModel
import QuenchTensor
import QuenchTrain
import Testing
import QuenchTestSupport

/// Five AdamW steps of full fine-tuning on the fixture batch against PyTorch: losses, grad norms
/// before clipping, and a probed parameter afterwards.
@Suite struct FullFineTuneTests {
    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func fiveStepsMatchPyTorch(_ folder: String) throws {
        let directory = SharedFixtures.url(folder)
        let model = try ModelLoader.load(huggingFaceDirectory: directory)
        let reference = try SafetensorsFile(contentsOf: directory.appendingPathComponent("reference.safetensors"))
        let batch = try TokenBatch.stored(in: reference)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true)
        let gradients = try ParameterGradients(model: model)
        let optimizer = try AdamW(parameters: model.parameters,
                                  settings: .init(beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1))
        var losses: [Float] = [], norms: [Float] = []
        for _ in 0..<5 {
            gradients.zero()
            let result = try #require(try model.forward(batch, workspace: workspace))
            try model.backward(batch, workspace: workspace, gradients: gradients)
            losses.append(Float(result.meanLoss))
            norms.append(Float(GradientClipping.clip(gradients.block, maximum: 1.0)))
            optimizer.update(parameters: model.parameters, gradients: gradients.block, learningRate: 1e-2)
        }
        let expectedLosses = try reference.floats("full.losses"), expectedNorms = try reference.floats("full.grad_norms")
        for (actual, expected) in zip(losses, expectedLosses) {
            #expect(abs(actual - expected) <= 1e-4 * abs(expected), "losses \(losses) vs \(expectedLosses)")
        }
        for (actual, expected) in zip(norms, expectedNorms) {
            #expect(abs(actual - expected) <= 1e-4 * abs(expected), "grad norms \(norms) vs \(expectedNorms)")
        }
        let probe = try #require(reference.tensorNames.first { $0.hasPrefix("full.final.") })
        let hfName = String(probe.dropFirst("full.final.".count))
        let spec = try #require(model.specs.first { $0.huggingFaceName == hfName })
        let actual = HuggingFaceLayout.toHuggingFace(try model.parameter(spec.name), spec: spec)
        let expected = try reference.floats(probe)
        let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "\(hfName) after five steps: worst difference \(worst)")
    }
}
