import QuenchGate

/// How a generative set is answered and scored: its metrics, and greedy decoding's budget, stop
/// sequences and batch. The model's EOS token and, for chat records, the chat template's end-of-turn
/// token always stop an answer.
public struct GenerationSettings: Sendable, Equatable {
    /// The metrics, in the order reports list them (at least one).
    public var metrics: [TaskMetric]
    /// Most tokens generated per answer; an answer that reaches it stops there (stop reason `length`).
    public var maxNewTokens: Int
    /// Text that ends an answer where it first appears (the answer is cut before it).
    public var stop: [String]
    /// Prompts decoded together, sharing each step's matrix products.
    public var batchSize: Int

    public static let defaultMaxNewTokens = 128
    public static let defaultBatchSize = 8
    /// Bounds a gate file or the command line may ask for.
    public static let maximumNewTokens = 4096
    public static let maximumBatchSize = 256
    public static let maximumStopSequences = 16

    /// Settings; defaults: 128 new tokens, no stop sequences, 8 prompts per batch.
    public init(metrics: [TaskMetric], maxNewTokens: Int = defaultMaxNewTokens, stop: [String] = [],
                batchSize: Int = defaultBatchSize) {
        (self.metrics, self.maxNewTokens, self.stop, self.batchSize) = (metrics, maxNewTokens, stop, batchSize)
    }
}
