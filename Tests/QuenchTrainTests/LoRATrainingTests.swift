import Foundation
import QuenchModel
import QuenchTensor
import QuenchTrain
import Testing
import QuenchTestSupport

/// tiny-llama LoRA (rank 4, α 8, every projection, A from the fixture, B zero): five AdamW steps
/// on the adapters only, against PEFT.
@Suite struct LoRATrainingTests {
    @Test func fiveStepsMatchPEFT() throws {
        let directory = SharedFixtures.url("tiny-llama")
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
        let before = model.parameters.flat.toArray()
        let batch = try TokenBatch.stored(in: reference)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true,
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
        #expect(model.parameters.flat.toArray() == before, "the base weights never change")
    }
}

@Suite struct LoRAOutputTests {
    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func peftFilesRoundTripAndMergingKeepsTheLogits(_ folder: String) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(folder))
        let modules = LoRAAdapters.knownModules(model.config.architecture)
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8, modules: modules, seed: 3)
        for target in adapters.targets {  // a non-zero B so the adapters change the output
            let b = try adapters.matrices(target).b
            for i in 0..<b.count { b.storage[i] = Float(i % 7) * 0.01 - 0.03 }
        }
        model.adapters = adapters
        let ids: [Int32] = [4, 9, 200, 31, 7, 64]
        let workspace = try Workspace(config: model.config, batch: 1, time: 6, training: false, adapters: adapters)
        try model.forward(TokenBatch(batch: 1, time: 6, inputs: ids), workspace: workspace)
        let adapted = try Tensor(zeros: [6, model.config.vocabularySize])
        try model.logits(workspace: workspace, into: adapted)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quench-peft-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: folder, to: directory)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("adapter_config.json"))) as? [String: Any]
        #expect(config?["r"] as? Int == 4 && config?["peft_type"] as? String == "LORA")
        let reread = try PEFTAdapterFormat.read(from: directory, model: model)
        #expect(reread.weights.flat.toArray() == adapters.weights.flat.toArray())

        try adapters.merge(into: model)
        #expect(model.adapters == nil)
        let plain = try Workspace(config: model.config, batch: 1, time: 6, training: false)
        try model.forward(TokenBatch(batch: 1, time: 6, inputs: ids), workspace: plain)
        let merged = try Tensor(zeros: [6, model.config.vocabularySize])
        try model.logits(workspace: plain, into: merged)
        let worst = zip(adapted.toArray(), merged.toArray()).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "merged model differs from the adapted one by \(worst)")
        let base = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(folder))
        #expect(base.parameters.flat.toArray() != model.parameters.flat.toArray(), "merging changed the weights")
    }
}

@Suite struct LoRADropoutTests {
    /// With a fixed dropout stream the loss is a deterministic function of A and B: their gradients
    /// must match central differences, and a validation (non-dropping) pass must differ from training.
    @Test func dropoutGradientsMatchFiniteDifferences() throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8, dropout: 0.3, modules: ["q", "v", "down"], seed: 5)
        for target in adapters.targets {
            let b = try adapters.matrices(target).b
            for i in 0..<b.count { b.storage[i] = Float((i * 37) % 11) * 0.02 - 0.1 }
        }
        model.adapters = adapters
        adapters.dropoutStream = 17
        let ids: [Int32] = [3, 77, 12, 200, 5, 61, 9, 140]
        let batch = TokenBatch(batch: 1, time: 8, inputs: ids, targets: Array(ids.dropFirst()) + [-100])
        let workspace = try Workspace(config: model.config, batch: 1, time: 8, training: true, adapters: adapters)
        let frozen = try ParameterGradients(model: model, trainable: [])
        let trainingLoss = try #require(try model.forward(batch, workspace: workspace)).meanLoss
        try model.backward(batch, workspace: workspace, gradients: frozen)
        func loss() throws -> Double { try #require(try model.forward(batch, workspace: workspace)).meanLoss }
        for name in ["layers.0.q.lora_A", "layers.1.down.lora_B", "layers.1.v.lora_A"] {
            let weight = try adapters.weights.tensor(name), gradient = try adapters.gradients.tensor(name)
            for index in [0, 5, weight.count - 1] {
                let numerical = try centralDifference(loss, at: index, in: weight.storage)
                #expect(abs(Double(gradient.storage[index]) - numerical) < 1e-3 + 0.02 * abs(numerical),
                        "\(name)[\(index)]: analytic \(gradient.storage[index]) vs numerical \(numerical)")
            }
        }
        workspace.appliesDropout = false
        let validationLoss = try loss()
        #expect(validationLoss != trainingLoss, "validation passes do not drop out")
    }
}
