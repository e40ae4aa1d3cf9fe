import Foundation
import QuenchFiles

extension ModelConfig {
    /// Hugging Face `architectures` values Quench reads, and the family each maps to.
    static let huggingFaceArchitectures: [String: (Architecture, String)] = [
        "LlamaForCausalLM": (.llama, "llama"),
        "MistralForCausalLM": (.llama, "mistral"),
        "Qwen2ForCausalLM": (.llama, "qwen2"),
        "GPT2LMHeadModel": (.gpt2, "gpt2"),
    ]

    /// Reads a Hugging Face `config.json`.
    public init(huggingFaceConfig url: URL) throws {
        let file = url.path
        let data = try MappedFile.json(at: file)
        let raw: HuggingFaceConfigFile
        do {
            raw = try JSONDecoder().decode(HuggingFaceConfigFile.self, from: data)
        } catch let DecodingError.typeMismatch(type, context) {
            throw ModelError.wrongType(file: file, key: context.codingPath.map(\.stringValue).joined(separator: "."),
                                       expected: "\(type)")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw ModelError.invalidValue(file: file, key: context.codingPath.map(\.stringValue).joined(separator: "."),
                                          reason: context.debugDescription)
        } catch {
            throw ModelError.unreadable(file: file, reason: JSONErrorText.problem(in: data) { (try? JSONDecoder().decode(HuggingFaceConfigFile.self, from: $0)) == nil } ?? "not a JSON object")
        }
        try self.init(raw, file: file)
    }

    init(_ raw: HuggingFaceConfigFile, file: String) throws {
        guard let name = raw.architectures?.first else { throw ModelError.missingKey(file: file, key: "architectures") }
        guard let (architecture, modelType) = ModelConfig.huggingFaceArchitectures[name] else {
            throw ModelError.unsupportedArchitecture(
                file: file, found: name, known: ModelConfig.huggingFaceArchitectures.keys.sorted())
        }
        func required(_ value: Int?, _ key: String) throws -> Int {
            guard let value else { throw ModelError.missingKey(file: file, key: key) }
            return value
        }
        switch architecture {
        case .llama:
            let hidden = try required(raw.hidden_size, "hidden_size")
            let heads = try required(raw.num_attention_heads, "num_attention_heads")
            let maxPositions = try required(raw.max_position_embeddings, "max_position_embeddings")
            let options = try LlamaOptions(raw, modelType: modelType, heads: heads, maxPositions: maxPositions, file: file)
            self.init(
                architecture: .llama, modelType: modelType,
                vocabularySize: try required(raw.vocab_size, "vocab_size"), hiddenSize: hidden,
                intermediateSize: try required(raw.intermediate_size, "intermediate_size"),
                layers: try required(raw.num_hidden_layers, "num_hidden_layers"),
                heads: heads, keyValueHeads: options.keyValueHeads,
                headSize: raw.head_dim ?? hidden / max(heads, 1),
                maxPositions: maxPositions,
                normEpsilon: Float(raw.rms_norm_eps ?? 1e-6),
                ropeTheta: options.ropeTheta,
                tiedEmbeddings: raw.tie_word_embeddings ?? false,
                attentionBias: options.attentionBias,
                bosTokenID: raw.bos_token_id, eosTokenID: raw.eos_token_id,
                outputBias: options.outputBias, mlpBias: options.mlpBias, ropeScaling: options.ropeScaling)
        case .gpt2:
            let hidden = try required(raw.n_embd, "n_embd")
            let heads = try required(raw.n_head, "n_head")
            let (fourWide, overflow) = hidden.multipliedReportingOverflow(by: 4)
            guard !overflow else {
                throw ModelError.invalidValue(file: file, key: "n_embd", reason: "\(hidden) is not a plausible size")
            }
            let activation = raw.activation_function ?? "gelu_new"
            guard ["gelu_new", "gelu_pytorch_tanh"].contains(activation) else {
                throw ModelError.invalidValue(
                    file: file, key: "activation_function",
                    reason: "'\(activation)' is not supported; Quench runs gelu_new (the tanh approximation)")
            }
            self.init(
                architecture: .gpt2, modelType: modelType,
                vocabularySize: try required(raw.vocab_size, "vocab_size"), hiddenSize: hidden,
                intermediateSize: raw.n_inner ?? fourWide, layers: try required(raw.n_layer, "n_layer"),
                heads: heads, keyValueHeads: heads, headSize: hidden / max(heads, 1),
                maxPositions: try required(raw.n_positions, "n_positions"),
                normEpsilon: Float(raw.layer_norm_epsilon ?? 1e-5), ropeTheta: 0,
                tiedEmbeddings: raw.tie_word_embeddings ?? true, attentionBias: true,
                bosTokenID: raw.bos_token_id, eosTokenID: raw.eos_token_id)
        }
        try validate(file: file, keys: architecture == .gpt2 ? Self.gpt2Keys : [:])
        try refuseSlidingWindow(raw, file: file)
    }

    /// GPT-2's config.json names for the keys `validate` checks.
    static let gpt2Keys = [
        "hidden_size": "n_embd", "intermediate_size": "n_inner", "num_hidden_layers": "n_layer",
        "num_attention_heads": "n_head", "num_key_value_heads": "n_head", "head_dim": "n_embd",
        "max_position_embeddings": "n_positions",
    ]
}

/// The keys of a Hugging Face `config.json` that Quench reads (snake_case as written there); JSONDecoder
/// rejects a wrong type (a string where a number belongs, 1 where a boolean belongs) with its key.
struct HuggingFaceConfigFile: Decodable {
    /// A `rope_parameters` or `rope_scaling` object (transformers 5 and 4 names).
    struct RopeParameters: Decodable {
        var rope_theta, factor, low_freq_factor, high_freq_factor, partial_rotary_factor: Double?
        var rope_type, type: String?
        var original_max_position_embeddings: Int?
        /// Keys holding an object: transformers' per-layer-type parameters, which Quench refuses.
        var objectKeys: [String] = []

        private struct Key: CodingKey {
            let stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.init(stringValue) }
            init?(intValue: Int) { nil }
        }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            func double(_ name: String) throws -> Double? { try c.decodeIfPresent(Double.self, forKey: Key(name)) }
            func string(_ name: String) throws -> String? { try c.decodeIfPresent(String.self, forKey: Key(name)) }
            (rope_theta, factor) = (try double("rope_theta"), try double("factor"))
            (low_freq_factor, high_freq_factor) = (try double("low_freq_factor"), try double("high_freq_factor"))
            partial_rotary_factor = try double("partial_rotary_factor")
            (rope_type, type) = (try string("rope_type"), try string("type"))
            original_max_position_embeddings = try c.decodeIfPresent(Int.self, forKey: Key("original_max_position_embeddings"))
            objectKeys = c.allKeys.filter { (try? c.nestedContainer(keyedBy: Key.self, forKey: $0)) != nil }
                .map(\.stringValue).sorted()
        }

        /// No key Quench reads: transformers treats an empty object as absent.
        var isEmpty: Bool {
            rope_theta == nil && factor == nil && low_freq_factor == nil && high_freq_factor == nil
                && partial_rotary_factor == nil && rope_type == nil && type == nil && original_max_position_embeddings == nil
                && objectKeys.isEmpty
        }
    }

    var architectures: [String]?
    var vocab_size, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads: Int?
    var num_key_value_heads, head_dim, max_position_embeddings, bos_token_id, eos_token_id: Int?
    var rms_norm_eps, rope_theta, partial_rotary_factor: Double?
    var rope_parameters, rope_scaling: RopeParameters?
    var original_max_position_embeddings: Int?
    var tie_word_embeddings, attention_bias, mlp_bias: Bool?
    var hidden_act: String?
    var n_embd, n_head, n_layer, n_positions, n_inner: Int?
    var layer_norm_epsilon: Double?
    var activation_function: String?
    /// Absent and null differ here: transformers gives an absent window its default of 4096 tokens.
    var sliding_window: KeyPresence<Int>
    var use_sliding_window: Bool?
    var max_window_layers: Int?
    var layer_types: [String]?
}

/// A config.json value that tells an absent key from an explicit `null`, for keys whose absence
/// transformers fills with a default that differs from null.
enum KeyPresence<Value: Decodable>: Decodable {
    case absent
    case null
    case value(Value)

    /// Decodes a present value, null or not; the `KeyedDecodingContainer.decode` overload below, which
    /// synthesized conformances call, returns `.absent` before this is reached for a missing key.
    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Value.self))
    }
}

extension KeyedDecodingContainer {
    /// Decodes a `KeyPresence` property: `.absent` when the key is missing, where the default
    /// `decode` would throw `keyNotFound` (synthesized `Decodable` conformances call this overload).
    func decode<Value>(_ type: KeyPresence<Value>.Type, forKey key: Key) throws -> KeyPresence<Value> {
        guard contains(key) else { return .absent }
        return try decodeNil(forKey: key) ? .null : .value(try decode(Value.self, forKey: key))
    }
}
