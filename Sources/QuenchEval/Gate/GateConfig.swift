import Foundation
import QuenchData
import QuenchGate

/// A quality gate: which evaluation sets, how they are windowed, and the thresholds a tuned model
/// must meet to be promoted. Read from YAML in `evaluations/` (see `GateConfig+Loading`).
public struct GateConfig: Sendable, Equatable {
    /// What a set guards (task or general), as gate.json records it.
    public typealias Role = GateSetRole

    /// One evaluation set of the gate: a loss set (perplexity and loss), or with `generation` a
    /// generative set (answers generated and scored by metrics).
    public struct EvalSet: Sendable, Equatable {
        public var name: String
        /// Absolute; a relative path in the file is resolved against the gate file's directory.
        public var file: URL
        public var format: DatasetFormat?
        public var role: Role
        /// The metrics and decoding of a generative set; nil for a loss set.
        public var generation: GenerationSettings?

        /// A set; without `generation` a loss set.
        public init(name: String, file: URL, format: DatasetFormat?, role: Role, generation: GenerationSettings? = nil) {
            (self.name, self.file, self.format, self.role, self.generation) = (name, file, format, role, generation)
        }

        /// The evaluation source a loss set reads.
        public var source: EvalSetSource { EvalSetSource(file: file, format: format, name: name) }

        /// The source a generative set is answered from; nil for a loss set.
        public var taskSource: GenerativeSetSource? {
            generation.map { GenerativeSetSource(file: file, format: format, name: name, settings: $0) }
        }
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
        /// Fewest scored tokens each loss set must hold, so a verdict never rests on a handful.
        public var minTokens: Int?
        /// By metric name: lowest tuned-model accuracy on each generative task set computing it.
        public var minAccuracy: [String: Double]
        /// By metric name: lowest tuned − base accuracy on each generative task set computing it.
        public var minAccuracyGain: [String: Double]
        /// By metric name: highest base − tuned accuracy on each generative general set computing it.
        public var maxAccuracyDrop: [String: Double]

        /// Thresholds; nil or absent ones are not checked. The loss thresholds apply to loss sets, the
        /// accuracy ones to generative sets.
        public init(maxPerplexity: Double? = nil, maxLoss: Double? = nil, minImprovement: Double? = nil,
                    maxRegression: Double? = nil, minTokens: Int? = nil, minAccuracy: [String: Double] = [:],
                    minAccuracyGain: [String: Double] = [:], maxAccuracyDrop: [String: Double] = [:]) {
            (self.maxPerplexity, self.maxLoss, self.minImprovement) = (maxPerplexity, maxLoss, minImprovement)
            (self.maxRegression, self.minTokens) = (maxRegression, minTokens)
            (self.minAccuracy, self.minAccuracyGain, self.maxAccuracyDrop) = (minAccuracy, minAccuracyGain, maxAccuracyDrop)
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

    /// The sets scored by loss and perplexity, in file order.
    public var lossSets: [EvalSet] { sets.filter { $0.generation == nil } }
    /// The sets answered by generation and scored by metrics, in file order.
    public var generativeSets: [EvalSet] { sets.filter { $0.generation != nil } }

    /// The evaluation options the gate asks for.
    public var options: EvalOptions { EvalOptions(windowing: windowing, context: context, batchSize: batchSize) }
}
