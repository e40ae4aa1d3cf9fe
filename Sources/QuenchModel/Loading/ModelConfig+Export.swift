import Foundation

extension ModelConfig {
    /// The configuration as a Hugging Face `config.json` that transformers loads.
    public func huggingFaceJSON() throws -> Data {
        var json: [String: Any] = [
            "model_type": modelType == "gpt2" ? "gpt2" : (modelType == "mistral" || modelType == "qwen2" ? modelType : "llama"),
            "vocab_size": vocabularySize,
            "tie_word_embeddings": tiedEmbeddings,
            "torch_dtype": "float32",
        ]
        if let bosTokenID { json["bos_token_id"] = bosTokenID }
        if let eosTokenID { json["eos_token_id"] = eosTokenID }
        switch architecture {
        case .llama:
            let name = ["mistral": "MistralForCausalLM", "qwen2": "Qwen2ForCausalLM"][modelType] ?? "LlamaForCausalLM"
            json.merge([
                "architectures": [name], "hidden_size": hiddenSize, "intermediate_size": intermediateSize,
                "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": keyValueHeads,
                "head_dim": headSize, "max_position_embeddings": maxPositions, "rms_norm_eps": Double(normEpsilon),
                "rope_theta": ropeTheta, "hidden_act": "silu", "attention_bias": attentionBias, "mlp_bias": false,
            ]) { $1 }
            // Without the key transformers gives a Mistral a 4096-token window; Quench computed full attention.
            if modelType == "mistral" { json["sliding_window"] = NSNull() }
        case .gpt2:
            json.merge([
                "architectures": ["GPT2LMHeadModel"], "n_embd": hiddenSize, "n_inner": intermediateSize,
                "n_layer": layers, "n_head": heads, "n_positions": maxPositions, "n_ctx": maxPositions,
                "layer_norm_epsilon": Double(normEpsilon), "activation_function": "gelu_new",
            ]) { $1 }
        }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }
}
