import QuenchTensor

/// The key/value cache and one-token buffers of a generation: allocated once for `capacity` positions.
///
/// Shapes: C channels, H MLP width, Q = NH·HS, K = NKV·HS, V vocabulary.
public final class DecodeState {
    /// Positions the cache can hold (prompt plus generated tokens).
    public let capacity: Int
    /// Positions filled so far.
    public internal(set) var length = 0
    let buffers: TensorBlock
    /// Rotary tables for positions `0..<capacity` (Llama), nil for GPT-2.
    let rotary: RotaryEmbedding?

    /// A cache for `capacity` positions of a model of `config`.
    /// - Throws: `TensorError.invalidArgument` when `capacity` exceeds the model's context,
    ///   `ModelError.exceedsMemory` when the cache would not fit in memory.
    public init(config: ModelConfig, capacity: Int) throws {
        guard capacity > 0, capacity <= config.maxPositions else {
            throw TensorError.invalidArgument(
                operation: "DecodeState",
                detail: "a cache of \(capacity) positions does not fit a model of \(config.maxPositions) positions")
        }
        let layout = DecodeState.layout(config: config, capacity: capacity)
        try MemoryBudget.require(floats: DecodeState.plannedFloats(config: config, capacity: capacity, layout: layout),
                                 for: "a generation cache of \(capacity) positions", lower: "--max-tokens or the prompt")
        self.capacity = capacity
        buffers = try TensorBlock(layout: layout)
        rotary = try CausalLM.rotaryTables(for: config, positions: capacity)
    }

    /// Floats a cache of `capacity` positions allocates (buffers and rotary tables), nil on overflow.
    static func plannedFloats(config: ModelConfig, capacity: Int,
                              layout: [(name: String, shape: [Int])]? = nil) -> Int? {
        MemoryBudget.elements((layout ?? self.layout(config: config, capacity: capacity)).map(\.shape)
                              + CausalLM.rotaryShapes(for: config, positions: capacity))
    }

    private static func layout(config: ModelConfig, capacity: Int) -> [(name: String, shape: [Int])] {
        let (c, h) = (config.hiddenSize, config.intermediateSize)
        let q = config.heads * config.headSize, k = config.keyValueHeads * config.headSize
        var layout: [(name: String, shape: [Int])] = []
        for l in 0..<config.layers { layout += [("keys.\(l)", [capacity, k]), ("values.\(l)", [capacity, k])] }
        layout += [("x", [1, c]), ("norm", [1, c]), ("mean", [1]), ("rstd", [1]), ("q", [1, q]), ("k", [1, k]),
                   ("v", [1, k]), ("qkv", [1, q + 2 * k]), ("attended", [1, q]), ("branch", [1, c]),
                   ("gate_up", [1, 2 * h]), ("fc", [1, h]), ("act", [1, h]), ("scores", [capacity]),
                   ("logits", [1, config.vocabularySize])]
        return layout
    }

    func buffer(_ name: String) throws -> Tensor { try buffers.tensor(name) }

    /// The logits of the last token fed (V).
    public var logits: [Float] { (try? buffers.tensor("logits").toArray()) ?? [] }
}
