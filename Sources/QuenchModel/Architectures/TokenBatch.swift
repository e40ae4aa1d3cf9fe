/// A batch of token sequences for one forward pass: B rows of T tokens, flattened row-major.
public struct TokenBatch: Sendable, Equatable {
    public let batch: Int
    public let time: Int
    /// Input ids (B·T).
    public let inputs: [Int32]
    /// Next-token targets (B·T), `CrossEntropy.ignoreIndex` where a position is not scored; nil
    /// for a pass without loss.
    public let targets: [Int32]?
    /// Position of each token (B·T); nil means 0..<T in every row. Packed rows restart at each example.
    public let positions: [Int32]?
    /// Example id of each token (B·T); tokens attend only within their example. nil: one example per row.
    public let segments: [Int32]?

    public init(batch: Int, time: Int, inputs: [Int32], targets: [Int32]? = nil,
                positions: [Int32]? = nil, segments: [Int32]? = nil) {
        self.batch = batch
        self.time = time
        self.inputs = inputs
        self.targets = targets
        self.positions = positions
        self.segments = segments
    }
}
