import QuenchTensor

/// The key/value caches and step buffers of up to `rows` sequences decoded together, allocated once.
///
/// Each row (slot) owns `capacity` cache positions and its own filled length, so rows of different
/// lengths attend exactly to their own positions. A step feeds any subset of the slots: the step
/// buffers' first rows hold those slots, in the order given.
///
/// Shapes: R rows, P = capacity, C channels, H MLP width, Q = NH·HS, K = NKV·HS, V vocabulary.
///   keys.l and values.l (R·P, K), slot s at rows s·P..<(s+1)·P; step buffers (R, …); logits (R, V).
final class BatchDecodeState {
    /// Sequences the state holds.
    let rows: Int
    /// Positions each row's cache can hold (prompt plus generated tokens).
    let capacity: Int
    /// Positions filled so far, per slot.
    var lengths: [Int]
    let buffers: TensorBlock
    /// Rotary tables for positions `0..<capacity` (Llama), nil for GPT-2.
    let rotary: RotaryEmbedding?

    /// Caches of `capacity` positions for `rows` sequences of a model of `config`.
    /// - Throws: `TensorError.invalidArgument` when `capacity` exceeds the model's context,
    ///   `ModelError.exceedsMemory` naming `lower` when the buffers would not fit in memory.
    init(config: ModelConfig, rows: Int, capacity: Int, lower: String) throws {
        let size = rows == 1 ? "\(capacity) positions" : "\(rows) sequences × \(capacity) positions"
        guard rows > 0, capacity > 0, capacity <= config.maxPositions else {
            throw TensorError.invalidArgument(
                operation: "DecodeState",
                detail: "a cache of \(size) does not fit a model of \(config.maxPositions) positions")
        }
        let layout = BatchDecodeState.layout(config: config, rows: rows, capacity: capacity)
        try MemoryBudget.require(
            floats: BatchDecodeState.plannedFloats(config: config, rows: rows, capacity: capacity, layout: layout),
            for: "a generation cache of \(size)", lower: lower)
        self.rows = rows
        self.capacity = capacity
        lengths = Array(repeating: 0, count: rows)
        buffers = try TensorBlock(layout: layout)
        rotary = try CausalLM.rotaryTables(for: config, positions: capacity)
    }

    /// Floats a state of `rows` × `capacity` positions allocates (buffers and rotary tables), nil on overflow.
    static func plannedFloats(config: ModelConfig, rows: Int, capacity: Int,
                              layout: [(name: String, shape: [Int])]? = nil) -> Int? {
        MemoryBudget.elements((layout ?? self.layout(config: config, rows: rows, capacity: capacity)).map(\.shape)
                              + CausalLM.rotaryShapes(for: config, positions: capacity))
    }

    private static func layout(config: ModelConfig, rows r: Int, capacity: Int) -> [(name: String, shape: [Int])] {
        let (c, h) = (config.hiddenSize, config.intermediateSize)
        let q = config.heads * config.headSize, k = config.keyValueHeads * config.headSize
        var layout: [(name: String, shape: [Int])] = []
        for l in 0..<config.layers { layout += [("keys.\(l)", [r, capacity, k]), ("values.\(l)", [r, capacity, k])] }
        layout += [("x", [r, c]), ("norm", [r, c]), ("mean", [r, 1]), ("rstd", [r, 1]), ("q", [r, q]), ("k", [r, k]),
                   ("v", [r, k]), ("qkv", [r, q + 2 * k]), ("attended", [r, q]), ("branch", [r, c]),
                   ("gate_up", [r, 2 * h]), ("fc", [r, h]), ("act", [r, h]), ("scores", [r, capacity]),
                   ("logits", [r, config.vocabularySize])]
        return layout
    }

    /// Empties every slot's cache for the next batch of prompts.
    func reset() { lengths = Array(repeating: 0, count: rows) }

    /// The first `count` rows of the step buffer `name`.
    func buffer(_ name: String, rows count: Int) throws -> Tensor {
        let tensor = try buffers.tensor(name)
        return try tensor.reshaped([rows, tensor.count / rows]).rowSlice(0..<count)
    }

    /// The key (`"keys"`) or value (`"values"`) cache of layer `layer` for `slot`: (P, K).
    func cache(_ kind: String, layer: Int, slot: Int) throws -> Tensor {
        let tensor = try buffers.tensor("\(kind).\(layer)")
        return try tensor.reshaped([rows * capacity, tensor.count / (rows * capacity)])
            .rowSlice((slot * capacity)..<((slot + 1) * capacity))
    }

    /// The logits (V) in row `row` of the last prefill or step.
    func logits(row: Int) throws -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(try buffer("logits", rows: rows).rowSlice(row..<(row + 1)).storage)
    }
}
