import Foundation
import QuenchData
import QuenchGate

/// A quality gate: which evaluation sets, how they are windowed, and the thresholds a tuned model
/// must meet to be promoted. Read from YAML in `evaluations/` (see `GateConfig+Loading`).
public struct GateConfig: Sendable, Equatable {
    /// What a set guards (task or general), as gate.json records it.
    public typealias Role = GateSetRole

    /// One evaluation set of the gate.
    public struct EvalSet: Sendable, Equatable {
        public var name: String
        /// Absolute; a relative path in the file is resolved against the gate file's directory.
        public var file: URL
        public var format: DatasetFormat?
        public var role: Role

        /// The evaluation source this set reads.
        public var source: EvalSetSource { EvalSetSource(file: file, format: format, name: name) }
    }

    /// The thresholds; an absent one is not checked.
    public struct Thresholds: Sendable, Equatable {
        /// Highest tuned-model perplexity allowed on each task set.
        public var maxPerplexity: Double?
        /// Highest tuned-model mean loss allowed on each task set.
        public var maxLoss: Double?
        /// Lowest relative loss improvement, (base − tuned) / base, on each task set.
        public var minImprovement: Double?
        /// Highest relative loss increase, (tuned − base) / base, on each general set.
        public var maxRegression: Double?
        /// Fewest scored tokens each set must hold, so a verdict never rests on a handful.
        public var minTokens: Int?

        /// Thresholds; nil ones are not checked.
        public init(maxPerplexity: Double? = nil, maxLoss: Double? = nil, minImprovement: Double? = nil,
                    maxRegression: Double? = nil, minTokens: Int? = nil) {
            (self.maxPerplexity, self.maxLoss, self.minImprovement) = (maxPerplexity, maxLoss, minImprovement)
            (self.maxRegression, self.minTokens) = (maxRegression, minTokens)
        }
    }

    /// The gate file, absolute.
    public var file: URL
    public var description: String?
    public var sets: [EvalSet]
    public var windowing: Windowing
    public var context: Int
    /// Rows per forward pass; nil picks one.
    public var batchSize: Int?
    public var thresholds: Thresholds

    /// The evaluation options the gate asks for.
    public var options: EvalOptions { EvalOptions(windowing: windowing, context: context, batchSize: batchSize) }
}
