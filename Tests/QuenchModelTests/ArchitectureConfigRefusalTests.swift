import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// Every Llama-family option transformers 5.25 or llama.cpp would compute and Quench does not is
/// refused naming the file and key (or the tensor a config gives no place to); the options it does
/// compute are read as transformers reads them, defaults included.
@Suite struct ArchitectureConfigRefusalTests {
    let folder: TemporaryDirectory

    init() throws { folder = try TemporaryDirectory("arch-config") }

    /// A 2-layer config.json for `architecture` with the JSON members `extra` (each led by a comma) and,
    /// unless `kvHeads` is false, 2 key/value heads.
    func config(_ extra: String = "", architecture: String = "LlamaForCausalLM", kvHeads: Bool = true) throws -> URL {
        let json = """
            {"architectures": ["\(architecture)"], "vocab_size": 40, "hidden_size": 64, "intermediate_size": 24,
             "num_hidden_layers": 2, "num_attention_heads": 32, \(kvHeads ? #""num_key_value_heads": 2,"# : "")
             "max_position_embeddings": 128, "rms_norm_eps": 1e-6\(extra)}
            """
        return try folder.file("config-\(UUID().uuidString.prefix(8)).json", bytes: Data(json.utf8))
    }

    /// The key that reading `url` refuses, after checking the error names `url` and the key.
    func refusedKey(_ url: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let error = try #require(throws: ModelError.self, sourceLocation: sourceLocation) {
            try ModelConfig(huggingFaceConfig: url)
        }
        switch error {
        case .invalidValue(let file, let key, _), .missingKey(let file, let key):
            #expect(file == url.path && "\(error)".contains("'\(key)'"), sourceLocation: sourceLocation)
            return key
        default:
            Issue.record("expected a refusal naming a key, got \(error)", sourceLocation: sourceLocation)
            return ""
        }
    }

    @Test("hidden_act other than silu/swish is refused", arguments: ["gelu", "gelu_pytorch_tanh", "relu"])
    func otherActivationsRefused(_ activation: String) throws {
        #expect(try refusedKey(config(#", "hidden_act": "\#(activation)""#)) == "hidden_act")
        #expect(try refusedKey(config(#", "sliding_window": null, "hidden_act": "\#(activation)""#, architecture: "MistralForCausalLM"))
                == "hidden_act")
    }

    @Test func siluAndSwishLoad() throws {
        for activation in ["silu", "swish"] {
            #expect((try? ModelConfig(huggingFaceConfig: config(#", "hidden_act": "\#(activation)""#))) != nil)
        }
    }

    @Test("RoPE types Quench does not compute are refused by key",
          arguments: [(#", "rope_parameters": {"rope_type": "yarn", "factor": 4.0}"#, "rope_parameters.rope_type"),
                      (#", "rope_scaling": {"type": "dynamic", "factor": 2.0}"#, "rope_scaling.type"),
                      (#", "rope_parameters": {"rope_type": "longrope"}"#, "rope_parameters.rope_type"),
                      (#", "rope_parameters": {"rope_type": "linear"}"#, "rope_parameters.factor"),
                      (#", "rope_parameters": {"rope_type": "linear", "factor": 0}"#, "rope_parameters.factor"),
                      // Above 0 as a double but 0 (or infinite) in float32, where the frequencies are computed.
                      (#", "rope_parameters": {"rope_type": "linear", "factor": 1e-50}"#, "rope_parameters.factor"),
                      (#", "rope_scaling": {"type": "linear", "factor": 1e39}"#, "rope_scaling.factor"),
                      (#", "rope_parameters": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 1e-50, "high_freq_factor": 4}"#,
                       "rope_parameters.low_freq_factor"),
                      (#", "rope_parameters": {"rope_type": "llama3", "factor": 8, "high_freq_factor": 4}"#,
                       "rope_parameters.low_freq_factor"),
                      (#", "rope_parameters": {"rope_type": "llama3", "factor": 8, "low_freq_factor": 4, "high_freq_factor": 4}"#,
                       "rope_parameters.high_freq_factor"),
                      (#", "partial_rotary_factor": 0.5"#, "partial_rotary_factor"),
                      (#", "rope_parameters": {"rope_theta": 1e4, "partial_rotary_factor": 0.25}"#,
                       "rope_parameters.partial_rotary_factor"),
                      (#", "rope_parameters": {"full_attention": {"rope_type": "default", "rope_theta": 1e6}}"#,
                       "rope_parameters.full_attention")])
    func unsupportedRopeRefused(_ extra: String, _ key: String) throws {
        #expect(try refusedKey(config(extra)) == key)
    }

    @Test func ropeIsReadAsTransformersReadsIt() throws {
        // rope_parameters' own theta wins over the top-level one; a non-empty rope_scaling replaces rope_parameters.
        let nested = try ModelConfig(huggingFaceConfig: config(#", "rope_theta": 500000, "rope_parameters": {"rope_theta": 1e6}"#))
        #expect(nested.ropeTheta == 1e6 && nested.ropeScaling == nil)
        let legacy = try ModelConfig(huggingFaceConfig: config(
            #", "rope_theta": 5e5, "rope_scaling": {"type": "linear", "factor": 4}, "rope_parameters": {"rope_theta": 1e6}"#))
        #expect(legacy.ropeTheta == 5e5 && legacy.ropeScaling == .linear(factor: 4))
        let emptyScaling = try ModelConfig(huggingFaceConfig: config(#", "rope_scaling": {}, "rope_theta": 2e4"#))
        #expect(emptyScaling.ropeTheta == 2e4 && emptyScaling.ropeScaling == nil)
        // llama3: a top-level original_max_position_embeddings wins, then the dictionary's, then the context.
        let llama3 = #""rope_type": "llama3", "factor": 8, "low_freq_factor": 1, "high_freq_factor": 4"#
        let top = try ModelConfig(huggingFaceConfig: config(
            #", "original_max_position_embeddings": 64, "rope_parameters": {\#(llama3), "original_max_position_embeddings": 32}"#))
        #expect(top.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 64))
        let inner = try ModelConfig(huggingFaceConfig: config(#", "rope_parameters": {\#(llama3), "original_max_position_embeddings": 32}"#))
        #expect(inner.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 32))
        let context = try ModelConfig(huggingFaceConfig: config(#", "rope_parameters": {\#(llama3)}"#))
        #expect(context.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 128))
    }

    @Test func biasesAndKeyValueHeadsFollowEachTransformersClass() throws {
        let llama = try ModelConfig(huggingFaceConfig: config(#", "attention_bias": true, "mlp_bias": true"#))
        #expect(llama.attentionBias && llama.outputBias && llama.mlpBias)
        // Mistral has no biases and Qwen2 always q, k and v biases, whatever the keys say (as in transformers).
        let mistral = try ModelConfig(huggingFaceConfig: config(
            #", "sliding_window": null, "attention_bias": true, "mlp_bias": true"#, architecture: "MistralForCausalLM"))
        #expect(!mistral.attentionBias && !mistral.outputBias && !mistral.mlpBias)
        let qwen2 = try ModelConfig(huggingFaceConfig: config(#", "attention_bias": false, "mlp_bias": true"#, architecture: "Qwen2ForCausalLM"))
        #expect(qwen2.attentionBias && !qwen2.outputBias && !qwen2.mlpBias)
        // num_key_value_heads left out: MistralConfig's default 8, Qwen2Config's 32, Llama's head count.
        #expect(try ModelConfig(huggingFaceConfig: config(#", "sliding_window": null"#, architecture: "MistralForCausalLM", kvHeads: false))
            .keyValueHeads == 8)
        #expect(try ModelConfig(huggingFaceConfig: config(architecture: "Qwen2ForCausalLM", kvHeads: false)).keyValueHeads == 32)
        #expect(try ModelConfig(huggingFaceConfig: config(kvHeads: false)).keyValueHeads == 32)
    }

    /// A copy of the reference model `variant` whose config.json has `change` applied.
    func copy(_ variant: String, _ change: (inout [String: Any]) -> Void) throws -> URL {
        let source = try #require(Bundle.module.url(forResource: "config", withExtension: "json",
                                                    subdirectory: "Resources/arch-\(variant)")).deletingLastPathComponent()
        let target = folder.url.appendingPathComponent("\(variant)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source.appendingPathComponent("model.safetensors"),
                                         to: target.appendingPathComponent("model.safetensors"))
        var json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: source.appendingPathComponent("config.json"))) as? [String: Any])
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: target.appendingPathComponent("config.json"))
        return target
    }

    /// The tensor that loading `directory` refuses as unread, after checking the error names its file.
    func unreadTensor(_ directory: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let error = try #require(throws: ModelError.self, sourceLocation: sourceLocation) {
            try ModelLoader.load(huggingFaceDirectory: directory)
        }
        guard case .unreadTensor(let file, let tensor, _) = error else {
            Issue.record("expected unreadTensor, got \(error)", sourceLocation: sourceLocation)
            return ""
        }
        #expect(file == directory.appendingPathComponent("model.safetensors").path, sourceLocation: sourceLocation)
        return tensor
    }

    @Test func tensorsTheConfigDoesNotDeclareAreRefusedByName() throws {
        #expect(try unreadTensor(copy("biases") { $0["mlp_bias"] = false }) == "model.layers.0.mlp.down_proj.bias")
        #expect(try unreadTensor(copy("biases") { $0["attention_bias"] = false }) == "model.layers.0.self_attn.k_proj.bias")
        // A tied model whose stored head differs from the embedding: transformers would ignore the head.
        #expect(try unreadTensor(copy("rope-linear") { $0["tie_word_embeddings"] = true }) == "lm_head.weight")
    }

    @Test func aTiedHeadEqualToTheEmbeddingAndRotaryBuffersLoad() throws {
        let source = try ModelLoader.load(huggingFaceDirectory: copy("rope-linear") { _ in })
        let directory = try copy("rope-linear") { $0["tie_word_embeddings"] = true }
        var tensors = try source.specs.map { spec in
            SafetensorsWriter.Entry(name: spec.huggingFaceName, shape: spec.shape,
                                    values: .f32(try source.parameter(spec.name == "head" ? "embed" : spec.name).toArray()))
        }
        tensors.append(SafetensorsWriter.Entry(name: "model.layers.0.self_attn.rotary_emb.inv_freq", shape: [4],
                                               values: .f32([1, 0.1, 0.01, 0.001])))
        let weights = directory.appendingPathComponent("model.safetensors")
        try FileManager.default.removeItem(at: weights)
        try SafetensorsWriter.write(tensors, to: weights)
        let tied = try ModelLoader.load(huggingFaceDirectory: directory)
        #expect(tied.config.tiedEmbeddings && !tied.specs.contains { $0.name == "head" })
    }

    /// A 1-layer GGUF header (no tensors) of architecture `name` (head size 8) with `extra` metadata,
    /// which replaces a base entry of the same key.
    func gguf(_ extra: [(String, GGUFValue)], architecture name: String = "llama") throws -> GGUFFile {
        let url = folder.url.appendingPathComponent("m-\(UUID().uuidString.prefix(8)).gguf")
        let base: [(String, GGUFValue)] = [
            ("general.architecture", .string(name)), ("\(name).context_length", .uint32(64)),
            ("\(name).embedding_length", .uint32(16)), ("\(name).block_count", .uint32(1)),
            ("\(name).feed_forward_length", .uint32(32)), ("\(name).attention.head_count", .uint32(2)),
            ("\(name).vocab_size", .uint32(8)), ("\(name).rope.dimension_count", .uint32(8)),
        ]
        let replaced = Set(extra.map(\.0))
        try GGUFWriter.write(metadata: base.filter { !replaced.contains($0.0) } + extra, tensors: [], to: url)
        return try GGUFFile(contentsOf: url)
    }

    @Test("GGUF settings llama.cpp applies and Quench does not compute are refused by key",
          arguments: [("llama.rope.scaling.type", GGUFValue.string("yarn")), ("llama.expert_count", .uint32(8)),
                      ("llama.attention.causal", .bool(false)), ("llama.rope.dimension_count", .uint32(4)),
                      ("llama.attention.value_length", .uint32(4)), ("llama.rope.scaling.attn_factor", .float32(2)),
                      ("llama.logit_scale", .float32(0.5)), ("llama.rope.scaling.factor", .float32(-2)),
                      ("llama.rope.scaling.factor", .float64(1e-50)), ("llama.rope.scaling.factor", .float64(1e39))])
    func ggufSettingsRefused(_ key: String, _ value: GGUFValue) throws {
        let file = try gguf([(key, value)])
        let error = try #require(throws: ModelError.self) { try ModelConfig(gguf: file, file: "m.gguf") }
        guard case .invalidValue("m.gguf", key, _) = error else {
            Issue.record("expected a refusal of \(key), got \(error)")
            return
        }
    }

    @Test func ggufLinearScalingIsRead() throws {
        let typed = try ModelConfig(gguf: gguf([("llama.rope.scaling.type", .string("linear")),
                                                ("llama.rope.scaling.factor", .float32(4))]), file: "m.gguf")
        #expect(typed.ropeScaling == .linear(factor: 4))
        // llama.cpp's default type is linear, and the older rope.scale_linear gives the factor.
        let legacy = try ModelConfig(gguf: gguf([("llama.rope.scale_linear", .float32(2))]), file: "m.gguf")
        #expect(legacy.ropeScaling == .linear(factor: 2))
        for plain in [[("llama.rope.scaling.type", GGUFValue.string("none")), ("llama.rope.scaling.factor", .float32(4))],
                      [("llama.rope.scaling.factor", .float32(1))], []] {
            #expect(try ModelConfig(gguf: gguf(plain), file: "m.gguf").ropeScaling == nil)
        }
    }
}
