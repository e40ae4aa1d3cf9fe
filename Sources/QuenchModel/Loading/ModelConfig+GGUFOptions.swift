extension ModelConfig {
    /// The `{arch}.` metadata keys (after the prefix) Quench reads from a GGUF file, or checks hold
    /// the value under which it computes what llama.cpp computes. Any other key of the
    /// architecture's namespace is a setting llama.cpp may apply, so it is refused by name.
    static let ggufArchitectureKeys: Set<String> = [
        "context_length", "embedding_length", "block_count", "feed_forward_length", "vocab_size",
        "attention.head_count", "attention.head_count_kv", "attention.key_length", "attention.value_length",
        "attention.layer_norm_rms_epsilon", "attention.layer_norm_epsilon", "attention.sliding_window",
        "attention.causal", "rope.freq_base", "rope.dimension_count", "rope.scaling.type", "rope.scaling.factor",
        "rope.scale_linear", "rope.scaling.attn_factor", "rope.scaling.original_context_length",
        "rope.scaling.finetuned", "expert_count", "expert_used_count", "tensor_data_layout",
    ]

    /// Refuses the llama.cpp settings of a GGUF file for architecture `name` that Quench does not
    /// compute, and reads its RoPE scaling: the divisors of a `rope_freqs.weight` tensor (llama3
    /// scaling as llama.cpp stores it), or llama.cpp's `rope.scaling.type`, default linear, with
    /// `rope.scaling.factor` or the older `rope.scale_linear` (a factor of 0 or 1 scales nothing).
    /// Call after the sizes are set: head sizes and rotated dimensions are checked against `headSize`.
    mutating func readGGUFOptions(_ gguf: GGUFFile, architecture name: String, file: String) throws {
        let prefix = "\(name)."
        if let key = gguf.metadata.keys.filter({ $0.hasPrefix(prefix) }).sorted()
            .first(where: { !Self.ggufArchitectureKeys.contains(String($0.dropFirst(prefix.count))) }) {
            throw ModelError.invalidValue(
                file: file, key: key,
                reason: "Quench does not compute this llama.cpp setting, so the model would be computed wrong")
        }
        func number(_ key: String) throws -> Double? {
            guard let raw = gguf.metadata[prefix + key] else { return nil }
            guard let value = raw.double else { throw ModelError.wrongType(file: file, key: prefix + key, expected: "a number") }
            return value
        }
        func require(_ key: String, _ holds: (Double) -> Bool, _ reason: String) throws {
            if let value = try number(key), !holds(value) {
                throw ModelError.invalidValue(file: file, key: prefix + key, reason: "\(value): \(reason)")
            }
        }
        let head = Double(headSize)
        try require("attention.value_length", { $0 == head }, "Quench needs values as wide as keys (\(headSize))")
        if architecture == .llama {
            try require("rope.dimension_count", { $0 == head }, "Quench rotates the whole head (\(headSize) dimensions)")
        }
        try require("expert_count", { $0 == 0 }, "mixture-of-experts models are not supported")
        try require("rope.scaling.attn_factor", { $0 == 1 }, "Quench does not scale attention for RoPE")
        if let causal = gguf.metadata[prefix + "attention.causal"], causal.bool != true {
            throw ModelError.invalidValue(file: file, key: prefix + "attention.causal",
                                          reason: "Quench computes causal language models only")
        }
        guard architecture == .llama else { return }
        try readRopeDivisors(gguf, file: file)
        let factorKey = gguf.metadata[prefix + "rope.scaling.factor"] != nil ? "rope.scaling.factor" : "rope.scale_linear"
        let factor = try number(factorKey) ?? 0
        let typeKey = prefix + "rope.scaling.type"
        let type = try gguf.metadata[typeKey].map { value -> String in
            guard let text = value.string else { throw ModelError.wrongType(file: file, key: typeKey, expected: "a string") }
            return text
        } ?? "linear"
        switch type {
        case "none":
            return
        case "linear":
            guard factor != 0, factor != 1 else { return }
            guard ropeScaling == nil else {
                throw ModelError.invalidValue(file: file, key: prefix + factorKey,
                                              reason: "Quench does not combine linear scaling with \(RopeScaling.ggufTensor)")
            }
            guard RopeScaling.isUsableFactor(factor) else {
                throw ModelError.invalidValue(file: file, key: prefix + factorKey, reason: RopeScaling.unusableFactorReason(factor))
            }
            ropeScaling = .linear(factor: factor)
        default:
            throw ModelError.invalidValue(
                file: file, key: typeKey, reason: "'\(type)' RoPE scaling is not supported; Quench computes none and linear")
        }
    }

    /// Reads llama.cpp's `rope_freqs.weight` (HS/2 finite positive divisors of the inverse frequencies).
    private mutating func readRopeDivisors(_ gguf: GGUFFile, file: String) throws {
        let name = RopeScaling.ggufTensor
        guard let info = gguf.tensor(name) else { return }
        guard info.shape == [headSize / 2] else {
            throw ModelError.tensorShape(file: file, tensor: name, expected: [headSize / 2], found: info.shape)
        }
        let divisors = try gguf.dequantize(name)
        if let index = divisors.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw ModelError.invalidValue(file: file, key: name, reason: "element \(index) is \(divisors[index]); divisors must be finite and positive")
        }
        ropeScaling = .frequencyDivisors(divisors)
    }
}
