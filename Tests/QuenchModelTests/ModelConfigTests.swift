import Foundation
import QuenchModel
import QuenchTensor
import Testing
import QuenchTestSupport

@Suite struct ModelConfigTests {
    func write(_ json: String, name: String = "config.json") throws -> URL {
        let folder = try TemporaryDirectory.create("config")
        let url = folder.appendingPathComponent(name)
        try Data(json.utf8).write(to: url)
        return url
    }

    static let qwen2 = """
        {"architectures": ["Qwen2ForCausalLM"], "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "max_position_embeddings": 32,
         "rms_norm_eps": 1e-6, "rope_theta": 1000000.0, "tie_word_embeddings": true}
        """

    @Test func qwen2AndMistralMapToTheLlamaFamily() throws {
        let qwen = try ModelConfig(huggingFaceConfig: write(Self.qwen2))
        #expect(qwen.architecture == .llama && qwen.modelType == "qwen2" && qwen.attentionBias)
        #expect(qwen.headSize == 4 && qwen.ropeTheta == 1_000_000 && qwen.tiedEmbeddings)
        let names = Set(ParameterTable.specs(for: qwen).map(\.huggingFaceName))
        #expect(names.contains("model.layers.1.self_attn.k_proj.bias") && !names.contains("lm_head.weight"))
        let mistral = try ModelConfig(huggingFaceConfig: write(
            Self.qwen2.replacingOccurrences(of: "Qwen2ForCausalLM", with: "MistralForCausalLM")))
        #expect(mistral.modelType == "mistral" && !mistral.attentionBias)
    }

    @Test func errorsNameTheFileAndKey() throws {
        let wrongType = try write(Self.qwen2.replacingOccurrences(of: "\"num_hidden_layers\": 2", with: "\"num_hidden_layers\": \"two\""))
        #expect(throws: ModelError.wrongType(file: wrongType.path, key: "num_hidden_layers", expected: "Int")) {
            try ModelConfig(huggingFaceConfig: wrongType)
        }
        let unknown = try write(Self.qwen2.replacingOccurrences(of: "Qwen2ForCausalLM", with: "BertModel"))
        #expect(throws: ModelError.self) { try ModelConfig(huggingFaceConfig: unknown) }
        do {
            _ = try ModelConfig(huggingFaceConfig: unknown)
        } catch {
            #expect("\(error)".contains("BertModel") && "\(error)".contains("LlamaForCausalLM"))
        }
        let badHeads = try write(Self.qwen2.replacingOccurrences(of: "\"num_key_value_heads\": 2", with: "\"num_key_value_heads\": 3"))
        #expect(throws: ModelError.self) { try ModelConfig(huggingFaceConfig: badHeads) }
    }

    /// A tiny Qwen2 (q/k/v biases, tied head) with random weights: the bias gradients of the fused
    /// q|k|v product against central differences of the loss.
    @Test func qwen2BiasGradientsMatchFiniteDifferences() throws {
        let config = try ModelConfig(huggingFaceConfig: write(Self.qwen2))
        let model = try CausalLM(config: config)
        var state: UInt64 = 42
        let flat = model.parameters.flat
        for i in 0..<flat.count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            flat.storage[i] = Float(Int(state >> 40) % 2001 - 1000) / 2500
        }
        for spec in model.specs where spec.name.hasSuffix("norm") {
            try model.parameter(spec.name).storage.update(repeating: 1)
        }
        let inputs: [Int32] = [3, 17, 5, 33, 8, 1, 29, 12]
        let batch = TokenBatch(batch: 1, time: 8, inputs: inputs, targets: Array(inputs.dropFirst()) + [-100])
        let workspace = try Workspace(config: config, batch: 1, time: 8, training: true)
        let gradients = try ParameterGradients(model: model)
        try model.forward(batch, workspace: workspace)
        try model.backward(batch, workspace: workspace, gradients: gradients)
        func loss() throws -> Double { try #require(try model.forward(batch, workspace: workspace)).meanLoss }
        for name in ["layers.0.q_bias", "layers.1.k_bias", "layers.0.v_bias", "embed"] {
            let parameter = try model.parameter(name), gradient = try #require(gradients[name])
            for index in [0, 3, parameter.count - 1] {
                let numerical = try centralDifference(loss, at: index, in: parameter.storage)
                #expect(abs(Double(gradient.storage[index]) - numerical) < 2e-3 + 0.02 * abs(numerical),
                        "\(name)[\(index)]: analytic \(gradient.storage[index]) vs numerical \(numerical)")
            }
        }
    }

    @Test func weightsWithNaNAreRefusedNamingTheTensor() throws {
        let source = SharedFixtures.url("tiny-llama")
        let folder = try write(try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8))
            .deletingLastPathComponent()
        let checkpoint = try SafetensorsFile(contentsOf: source.appendingPathComponent("model.safetensors"))
        let entries = try checkpoint.tensorNames.map { name in
            var values = try checkpoint.floats(name)
            if name == "model.layers.1.mlp.up_proj.weight" { values[7] = .nan }
            return SafetensorsWriter.Entry(name: name, shape: try #require(checkpoint.info(name)).shape, values: .f32(values))
        }
        try SafetensorsWriter.write(entries, to: folder.appendingPathComponent("model.safetensors"))
        #expect(throws: ModelError.nonFinite(file: folder.appendingPathComponent("model.safetensors").path, tensor: "model.layers.1.mlp.up_proj.weight", index: 7)) {
            try ModelLoader.load(huggingFaceDirectory: folder)
        }
    }
}
