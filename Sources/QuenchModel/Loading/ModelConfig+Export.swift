import Foundation

extension ModelConfig {
    /// The configuration as a Hugging Face `config.json` that transformers loads, for weights
    /// stored as `dtype`, with `padTokenID` when the model has a padding token.
    public func huggingFaceJSON(dtype: ExportDType = .f32, padTokenID: Int? = nil) throws -> Data {
        var json: [String: Any] = [
            "model_type": modelType == "gpt2" ? "gpt2" : (modelType == "mistral" || modelType == "qwen2" ? modelType : "llama"),
            "vocab_size": vocabularySize,
            "tie_word_embeddings": tiedEmbeddings,
            "dtype": dtype.torchName,
        ]
        if let bosTokenID { json["bos_token_id"] = bosTokenID }
        if let eosTokenID { json["eos_token_id"] = eosTokenID }
        if let padTokenID { json["pad_token_id"] = padTokenID }
        switch architecture {
        case .llama:
            let name = ["mistral": "MistralForCausalLM", "qwen2": "Qwen2ForCausalLM"][modelType] ?? "LlamaForCausalLM"
            json.merge([
                "architectures": [name], "hidden_size": hiddenSize, "intermediate_size": intermediateSize,
                "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": keyValueHeads,
                "head_dim": headSize, "max_position_embeddings": maxPositions, "rms_norm_eps": Self.shortestDecimal(normEpsilon),
                "rope_theta": ropeTheta, "hidden_act": "silu", "attention_bias": attentionBias, "mlp_bias": mlpBias,
            ]) { $1 }
            try requireHuggingFaceBiases()
            if let ropeScaling { json["rope_parameters"] = try ropeScaling.huggingFaceJSON(theta: ropeTheta) }
            // Without the key transformers gives a Mistral a 4096-token window; Quench computed full attention.
            if modelType == "mistral" { json["sliding_window"] = NSNull() }
        case .gpt2:
            json.merge([
                "architectures": ["GPT2LMHeadModel"], "n_embd": hiddenSize, "n_inner": intermediateSize,
                "n_layer": layers, "n_head": heads, "n_positions": maxPositions, "n_ctx": maxPositions,
                "layer_norm_epsilon": Self.shortestDecimal(normEpsilon), "activation_function": "gelu_new",
            ]) { $1 }
        }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }

    /// `value` as the Double of its shortest decimal that reads back as the same Float, so a
    /// float32 epsilon of 1e-5 is written 1e-05, not 9.999999747378752e-06 (both are the same float32).
    static func shortestDecimal(_ value: Float) -> Double {
        Double(value.description) ?? Double(value)
    }
}
