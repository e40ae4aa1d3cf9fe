/// The config.json options of a Llama, Mistral or Qwen2 model that change what transformers 5.25
/// computes, read as its `LlamaConfig`/`MistralConfig`/`Qwen2Config` and modeling files read them:
/// each one Quench computes the same way, or refused naming its key.
///
/// Honoured: `head_dim`, `tie_word_embeddings`, `rms_norm_eps`, `num_key_value_heads` (with each
/// class's default), `rope_theta`, `rope_parameters`/`rope_scaling` of type default, linear or llama3,
/// Llama's `attention_bias` (q, k, v and o biases) and `mlp_bias` (Mistral has no biases and Qwen2
/// always biases q, k and v, whatever the keys say, as in transformers). Inert there, so ignored:
/// `pretraining_tp` (unused by transformers 5 modeling), `attention_dropout` (evaluation never drops;
/// Quench's training recipe applies no attention dropout), `use_cache`, `initializer_range`.
/// Refused: any `hidden_act` but silu/swish, any other `rope_type`, `partial_rotary_factor` below 1,
/// and sliding windows (`refuseSlidingWindow`).
struct LlamaOptions {
    var keyValueHeads: Int
    var attentionBias, outputBias, mlpBias: Bool
    var ropeTheta: Double
    var ropeScaling: RopeScaling?

    /// transformers' `num_key_value_heads` when config.json leaves it out: MistralConfig's default is
    /// 8 and Qwen2Config's 32; LlamaConfig uses the attention head count.
    static let defaultKeyValueHeads = ["mistral": 8, "qwen2": 32]

    /// The options of `raw` for the model type `modelType` (llama, mistral or qwen2) with `heads`
    /// attention heads and a context of `maxPositions`.
    init(_ raw: HuggingFaceConfigFile, modelType: String, heads: Int, maxPositions: Int, file: String) throws {
        let activation = raw.hidden_act ?? "silu"
        guard ["silu", "swish"].contains(activation) else {
            throw ModelError.invalidValue(
                file: file, key: "hidden_act",
                reason: "'\(activation)' is not supported; Quench computes the SwiGLU MLP with silu (swish)")
        }
        keyValueHeads = raw.num_key_value_heads ?? Self.defaultKeyValueHeads[modelType] ?? heads
        switch modelType {
        case "llama":
            attentionBias = raw.attention_bias ?? false
            outputBias = attentionBias
            mlpBias = raw.mlp_bias ?? false
        case "qwen2":
            (attentionBias, outputBias, mlpBias) = (true, false, false)
        default:
            (attentionBias, outputBias, mlpBias) = (false, false, false)
        }
        // PreTrainedConfig.convert_rope_params_to_dict: a non-empty rope_scaling replaces rope_parameters,
        // whose own rope_theta wins over the top-level one.
        let (parameters, name): (HuggingFaceConfigFile.RopeParameters?, String)
        if let scaling = raw.rope_scaling, !scaling.isEmpty {
            (parameters, name) = (scaling, "rope_scaling")
        } else {
            (parameters, name) = (raw.rope_parameters, "rope_parameters")
        }
        if let nested = parameters?.objectKeys.first {
            throw ModelError.invalidValue(
                file: file, key: "\(name).\(nested)",
                reason: "per-layer-type RoPE parameters are not supported; Quench applies one RoPE to every layer")
        }
        ropeTheta = parameters?.rope_theta ?? raw.rope_theta ?? 10_000
        let partial = parameters?.partial_rotary_factor ?? raw.partial_rotary_factor ?? 1
        guard partial == 1 else {
            let key = parameters?.partial_rotary_factor == nil ? "partial_rotary_factor" : "\(name).partial_rotary_factor"
            throw ModelError.invalidValue(
                file: file, key: key, reason: "\(partial) is not supported; Quench rotates the whole head (1.0)")
        }
        ropeScaling = try Self.scaling(parameters, name: name, raw: raw, maxPositions: maxPositions, file: file)
    }

    /// The scaling of the rope dictionary `parameters` found under `name`, nil for the default type.
    private static func scaling(_ parameters: HuggingFaceConfigFile.RopeParameters?, name: String,
                                raw: HuggingFaceConfigFile, maxPositions: Int, file: String) throws -> RopeScaling? {
        guard let parameters else { return nil }
        let typeKey = parameters.rope_type == nil && parameters.type != nil ? "\(name).type" : "\(name).rope_type"
        func number(_ value: Double?, _ key: String) throws -> Double {
            guard let value else { throw ModelError.missingKey(file: file, key: "\(name).\(key)") }
            guard RopeScaling.isUsableFactor(value) else {
                throw ModelError.invalidValue(file: file, key: "\(name).\(key)", reason: RopeScaling.unusableFactorReason(value))
            }
            return value
        }
        switch parameters.rope_type ?? parameters.type ?? "default" {
        case "default":
            return nil
        case "linear":
            return .linear(factor: try number(parameters.factor, "factor"))
        case "llama3":
            let low = try number(parameters.low_freq_factor, "low_freq_factor")
            let high = try number(parameters.high_freq_factor, "high_freq_factor")
            guard high > low else {
                throw ModelError.invalidValue(file: file, key: "\(name).high_freq_factor",
                                              reason: "\(high) must be greater than low_freq_factor \(low)")
            }
            // standardize_rope_params: a top-level original_max_position_embeddings wins, then the
            // dictionary's, then max_position_embeddings.
            let (context, contextKey) = raw.original_max_position_embeddings.map { ($0, "original_max_position_embeddings") }
                ?? parameters.original_max_position_embeddings.map { ($0, "\(name).original_max_position_embeddings") }
                ?? (maxPositions, "max_position_embeddings")
            guard context > 0 else {
                throw ModelError.invalidValue(file: file, key: contextKey, reason: "\(context) is not a plausible context")
            }
            return .llama3(factor: try number(parameters.factor, "factor"), lowFrequencyFactor: low,
                           highFrequencyFactor: high, originalContext: context)
        case let other:
            throw ModelError.invalidValue(
                file: file, key: typeKey,
                reason: "'\(other)' RoPE is not supported; Quench computes default, linear and llama3 RoPE")
        }
    }
}

extension ModelConfig {
    /// Throws unless the transformers class this model is exported as has exactly its biases:
    /// LlamaForCausalLM biases q, k, v and o together (`attention_bias`), MistralForCausalLM none, and
    /// Qwen2ForCausalLM q, k and v only; otherwise transformers would drop or invent a bias.
    func requireHuggingFaceBiases() throws {
        let fits: Bool
        switch modelType {
        case "mistral": fits = !attentionBias && !outputBias && !mlpBias
        case "qwen2": fits = attentionBias && !outputBias && !mlpBias
        default: fits = attentionBias == outputBias
        }
        guard fits else {
            throw ModelError.invalidValue(
                file: "config.json", key: "attention_bias",
                reason: "a \(modelType) model with q/k/v biases \(attentionBias), o bias \(outputBias) and MLP biases "
                    + "\(mlpBias) has no transformers equivalent; export it as GGUF")
        }
    }
}
