extension RopeScaling {
    /// transformers' `rope_parameters` names, and `divisors` for GGUF frequency divisors.
    enum CodingKeys: String, CodingKey {
        case ropeType = "rope_type"
        case factor
        case lowFrequencyFactor = "low_freq_factor"
        case highFrequencyFactor = "high_freq_factor"
        case originalContext = "original_max_position_embeddings"
        case divisors
    }

    /// Writes `{"rope_type": typeName, ...}` with the type's parameters under transformers' names
    /// (`{"rope_type": "rope_freqs", "divisors": [...]}` for GGUF frequency divisors).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(typeName, forKey: .ropeType)
        switch self {
        case .linear(let factor):
            try container.encode(factor, forKey: .factor)
        case let .llama3(factor, low, high, context):
            try container.encode(factor, forKey: .factor)
            try container.encode(low, forKey: .lowFrequencyFactor)
            try container.encode(high, forKey: .highFrequencyFactor)
            try container.encode(context, forKey: .originalContext)
        case .frequencyDivisors(let divisors):
            try container.encode(divisors, forKey: .divisors)
        }
    }

    /// Reads what `encode(to:)` writes.
    /// - Throws: `DecodingError` naming `rope_type` for a type Quench does not compute, or the missing key.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .ropeType) {
        case "linear":
            self = .linear(factor: try container.decode(Double.self, forKey: .factor))
        case "llama3":
            self = .llama3(factor: try container.decode(Double.self, forKey: .factor),
                           lowFrequencyFactor: try container.decode(Double.self, forKey: .lowFrequencyFactor),
                           highFrequencyFactor: try container.decode(Double.self, forKey: .highFrequencyFactor),
                           originalContext: try container.decode(Int.self, forKey: .originalContext))
        case "rope_freqs":
            self = .frequencyDivisors(try container.decode([Float].self, forKey: .divisors))
        case let other:
            throw DecodingError.dataCorruptedError(
                forKey: .ropeType, in: container,
                debugDescription: "'\(other)' RoPE scaling is not one Quench computes (linear, llama3, rope_freqs)")
        }
    }
}
