/// The shape of a causal language model, whatever file it came from.
///
/// One struct serves both families: Llama-style models (Llama, Mistral, Qwen2, SmolLM) and GPT-2.
/// Both compute full causal attention; a config whose sliding window would change that is refused
/// (`refuseSlidingWindow`), and so is every other option Quench does not compute (`LlamaOptions`).
public struct ModelConfig: Codable, Sendable, Equatable {
    /// The architectures Quench can run: a closed registry mapped from config strings.
    public enum Architecture: String, Codable, Sendable, CaseIterable {
        /// RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP.
        case llama
        /// LayerNorm, learned positions, fused QKV with biases, GELU MLP.
        case gpt2
    }

    public var architecture: Architecture
    /// Hugging Face `model_type` (llama, mistral, qwen2, gpt2) kept for export.
    public var modelType: String
    public var vocabularySize: Int
    /// C: width of the residual stream.
    public var hiddenSize: Int
    /// H: width of the MLP.
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var keyValueHeads: Int
    public var headSize: Int
    public var maxPositions: Int
    public var normEpsilon: Float
    public var ropeTheta: Double
    public var tiedEmbeddings: Bool
    /// Biases on the q, k and v projections (Qwen2; always on for GPT-2's fused projection).
    public var attentionBias: Bool
    public var bosTokenID: Int?
    public var eosTokenID: Int?
    /// A bias on the o projection (Llama's `attention_bias` biases q, k, v and o; Qwen2 only q, k, v).
    public var outputBias = false
    /// Biases on the gate, up and down projections (Llama's `mlp_bias`).
    public var mlpBias = false
    /// RoPE frequency scaling (transformers' `rope_type` linear or llama3); nil for plain RoPE.
    public var ropeScaling: RopeScaling?

    /// Throws unless every size is positive and plausible, the heads divide evenly, and the norm
    /// epsilon and rotary base are finite and positive (else training silently gives `loss nan`).
    /// - Parameter keys: the file's name for a key where it differs from config.json's Llama names
    ///   (GGUF's `llama.embedding_length` for `hidden_size`, GPT-2's `n_embd`).
    public func validate(file: String, keys: [String: String] = [:]) throws {
        func key(_ name: String) -> String { keys[name] ?? name }
        let sizes: [(String, Int)] = [
            ("vocab_size", vocabularySize), ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
            ("num_hidden_layers", layers), ("num_attention_heads", heads), ("num_key_value_heads", keyValueHeads),
            ("head_dim", headSize), ("max_position_embeddings", maxPositions),
        ]
        for (name, value) in sizes where value <= 0 || value > 1 << 24 {
            throw ModelError.invalidValue(file: file, key: key(name), reason: "\(value) is not a plausible size (1...\(1 << 24))")
        }
        var positive = [(architecture == .llama ? "rms_norm_eps" : "layer_norm_epsilon", Double(normEpsilon))]
        if architecture == .llama { positive.append(("rope_theta", ropeTheta)) }
        for (name, value) in positive where !(value.isFinite && value > 0) {
            throw ModelError.invalidValue(file: file, key: key(name), reason: "\(value) must be a finite number greater than 0")
        }
        guard heads % keyValueHeads == 0 else {
            throw ModelError.invalidValue(
                file: file, key: key("num_key_value_heads"),
                reason: "\(heads) attention heads are not a multiple of \(keyValueHeads) key/value heads")
        }
        if architecture == .llama, headSize % 2 != 0 {
            throw ModelError.invalidValue(file: file, key: key("head_dim"), reason: "rotary embeddings need an even head size")
        }
        if architecture == .gpt2, heads * headSize != hiddenSize {
            throw ModelError.invalidValue(file: file, key: key("num_attention_heads"),
                                          reason: "the width \(hiddenSize) is not divisible by \(heads) heads")
        }
    }
}
