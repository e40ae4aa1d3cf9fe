extension ModelConfig {
    /// GGUF `general.architecture` values Quench reads, and the family each maps to.
    static let ggufArchitectures: [String: Architecture] = [
        "llama": .llama, "mistral": .llama, "qwen2": .llama, "gpt2": .gpt2,
    ]

    /// Reads the configuration from a GGUF file's metadata (`{arch}.block_count` and friends).
    public init(gguf: GGUFFile, file: String) throws {
        func value(_ key: String) throws -> GGUFValue {
            guard let value = gguf.metadata[key] else { throw ModelError.missingKey(file: file, key: key) }
            return value
        }
        func int(_ key: String) throws -> Int {
            guard let number = try value(key).int else { throw ModelError.wrongType(file: file, key: key, expected: "an integer") }
            return number
        }
        func optionalInt(_ key: String) throws -> Int? { gguf.metadata[key] == nil ? nil : try int(key) }
        func optionalDouble(_ key: String) throws -> Double? {
            guard let raw = gguf.metadata[key] else { return nil }
            guard let number = raw.double else { throw ModelError.wrongType(file: file, key: key, expected: "a number") }
            return number
        }
        guard let name = try value("general.architecture").string else {
            throw ModelError.wrongType(file: file, key: "general.architecture", expected: "a string")
        }
        guard let architecture = ModelConfig.ggufArchitectures[name] else {
            throw ModelError.unsupportedArchitecture(file: file, found: name, known: ModelConfig.ggufArchitectures.keys.sorted())
        }
        let hidden = try int("\(name).embedding_length")
        let heads = try int("\(name).attention.head_count")
        let vocabulary = try optionalInt("\(name).vocab_size")
            ?? gguf.metadata["tokenizer.ggml.tokens"]?.array?.count
            ?? gguf.tensor("token_embd.weight")?.shape.first
        guard let vocabulary else { throw ModelError.missingKey(file: file, key: "tokenizer.ggml.tokens") }
        let epsilon = architecture == .llama
            ? try optionalDouble("\(name).attention.layer_norm_rms_epsilon") ?? 1e-5
            : try optionalDouble("\(name).attention.layer_norm_epsilon") ?? 1e-5
        self.init(
            architecture: architecture, modelType: name, vocabularySize: vocabulary, hiddenSize: hidden,
            intermediateSize: try int("\(name).feed_forward_length"), layers: try int("\(name).block_count"),
            heads: heads, keyValueHeads: try optionalInt("\(name).attention.head_count_kv") ?? heads,
            headSize: try optionalInt("\(name).attention.key_length") ?? hidden / max(heads, 1),
            maxPositions: try int("\(name).context_length"), normEpsilon: Float(epsilon),
            ropeTheta: architecture == .llama ? try optionalDouble("\(name).rope.freq_base") ?? 10_000 : 0,
            tiedEmbeddings: gguf.tensor("output.weight") == nil,
            attentionBias: architecture == .gpt2 || gguf.tensor("blk.0.attn_q.bias") != nil,
            bosTokenID: try optionalInt("tokenizer.ggml.bos_token_id"),
            eosTokenID: try optionalInt("tokenizer.ggml.eos_token_id"),
            // llama.cpp's llama graph adds these biases when the file has them (Llama's attention_bias, mlp_bias).
            outputBias: name == "llama" && gguf.tensor("blk.0.attn_output.bias") != nil,
            mlpBias: name == "llama" && ["gate", "up", "down"].contains { gguf.tensor("blk.0.ffn_\($0).bias") != nil })
        try validate(file: file, keys: Self.ggufKeys(architecture: name))
        try readGGUFOptions(gguf, architecture: name, file: file)
        // llama.cpp's LLM_KV_ATTENTION_SLIDING_WINDOW; 0 there means no window.
        let windowKey = "\(name).attention.sliding_window"
        if let window = try optionalInt(windowKey), window != 0 {
            try Self.refuseSlidingWindow(window, file: file, key: windowKey, layerScope: nil, origin: "",
                                         positions: ("\(name).context_length", maxPositions))
        }
    }

    /// The GGUF metadata names, for architecture `name`, of the keys `validate` checks.
    static func ggufKeys(architecture name: String) -> [String: String] {
        [
            "vocab_size": "tokenizer.ggml.tokens", "hidden_size": "\(name).embedding_length",
            "intermediate_size": "\(name).feed_forward_length", "num_hidden_layers": "\(name).block_count",
            "num_attention_heads": "\(name).attention.head_count", "num_key_value_heads": "\(name).attention.head_count_kv",
            "head_dim": "\(name).attention.key_length", "max_position_embeddings": "\(name).context_length",
            "rms_norm_eps": "\(name).attention.layer_norm_rms_epsilon",
            "layer_norm_epsilon": "\(name).attention.layer_norm_epsilon", "rope_theta": "\(name).rope.freq_base",
        ]
    }
}
