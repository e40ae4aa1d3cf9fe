import Foundation
import QuenchModel
import QuenchTensor
import QuenchTrain
import Testing

/// tiny-llama LoRA (rank 4, α 8, every projection, A from the fixture, B zero): five AdamW steps
/// on the adapters only, against PEFT.
@Suite struct LoRATrainingTests {
    @Test func fiveStepsMatchPEFT() throws {
        let directory = TrainFixtures.url("tiny-llama")
        let model = try ModelLoader.load(huggingFaceDirectory: directory)
        let reference = try SafetensorsFile(contentsOf: directory.appendingPathComponent("reference.safetensors"))
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8,
                                        modules: LoRAAdapters.knownModules(.llama), seed: 0)
        for target in adapters.targets {
            let spec = try #require(model.specs.first { $0.name == target.parameter })
            let hfModule = spec.huggingFaceName.replacingOccurrences(of: ".weight", with: "")
            try adapters.matrices(target).a.copy(from: Tensor(shape: [4, target.inFeatures],
                                                              values: reference.floats("lora.init.\(hfModule).A")))
        }
        model.adapters = adapters
        let before = try model.parameters.flat.toArray()
        let shape = try #require(reference.info("input_ids")).shape
        let batch = TokenBatch(batch: shape[0], time: shape[1], inputs: try reference.int32s("input_ids"),
                               targets: try reference.int32s("labels"))
        let workspace = try Workspace(config: model.config, batch: shape[0], time: shape[1], training: true,
                                      adapters: adapters)
        let frozen = try ParameterGradients(model: model, trainable: [])
        #expect(frozen.block.parameterCount == 0, "the frozen base has no gradient buffers")
        let optimizer = try AdamW(parameters: adapters.weights,
                                  settings: .init(beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1))
        var losses: [Float] = [], norms: [Float] = []
        for _ in 0..<5 {
            adapters.gradients.flat.zero()
            let result = try #require(try model.forward(batch, workspace: workspace))
            try model.backward(batch, workspace: workspace, gradients: frozen)
            losses.append(Float(result.meanLoss))
            norms.append(Float(GradientClipping.clip(adapters.gradients, maximum: 1.0)))
            optimizer.update(parameters: adapters.weights, gradients: adapters.gradients, learningRate: 1e-2)
        }
        let expectedLosses = try reference.floats("lora.losses"), expectedNorms = try reference.floats("lora.grad_norms")
        for (actual, expected) in zip(losses, expectedLosses) {
            #expect(abs(actual - expected) <= 1e-4 * abs(expected), "losses \(losses) vs \(expectedLosses)")
        }
        for (actual, expected) in zip(norms, expectedNorms) {
            #expect(abs(actual - expected) <= 1e-4 * abs(expected), "grad norms \(norms) vs \(expectedNorms)")
        }
        let probe = try #require(adapters.target("layers.1.q"))
        let (a, b) = try adapters.matrices(probe)
        for (tensor, key) in [(a, "A"), (b, "B")] {
            let expected = try reference.floats("lora.final.model.layers.1.self_attn.q_proj.\(key)")
            let worst = zip(tensor.toArray(), expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst <= 1e-4, "q_proj.\(key) after five steps: worst difference \(worst)")
        }
        #expect(try model.parameters.flat.toArray() == before, "the base weights never change")
    }
}
