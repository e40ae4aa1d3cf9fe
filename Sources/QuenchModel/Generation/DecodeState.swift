import QuenchTensor

/// The key/value cache and one-token buffers of one generation: allocated once for `capacity`
/// positions (a `BatchDecodeState` of one row).
public final class DecodeState {
    let batch: BatchDecodeState

    /// Positions the cache can hold (prompt plus generated tokens).
    public var capacity: Int { batch.capacity }
    /// Positions filled so far.
    public var length: Int { batch.lengths[0] }

    /// A cache for `capacity` positions of a model of `config`.
    /// - Throws: `TensorError.invalidArgument` when `capacity` exceeds the model's context,
    ///   `ModelError.exceedsMemory` when the cache would not fit in memory.
    public init(config: ModelConfig, capacity: Int) throws {
        batch = try BatchDecodeState(config: config, rows: 1, capacity: capacity, lower: "--max-tokens or the prompt")
    }

    /// Floats a cache of `capacity` positions allocates (buffers and rotary tables), nil on overflow.
    static func plannedFloats(config: ModelConfig, capacity: Int) -> Int? {
        BatchDecodeState.plannedFloats(config: config, rows: 1, capacity: capacity)
    }

    /// The logits of the last token fed (V).
    public var logits: [Float] { (try? Array(batch.logits(row: 0))) ?? [] }
}
