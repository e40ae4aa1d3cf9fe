import Foundation

/// The results of one set: the base model's, the tuned model's, and how the loss moved.
public struct SetComparison: Codable, Sendable, Equatable {
    public let name: String
    /// The set's file, absolute.
    public let path: String
    public let base: EvalResult
    public let tuned: EvalResult?
    /// tuned − base mean loss (negative: the tuned model is better).
    public let lossChange: Double?
    /// (tuned − base) / base mean loss.
    public let relativeLossChange: Double?
    /// tuned − base perplexity.
    public let perplexityChange: Double?

    enum CodingKeys: String, CodingKey {
        case name, path, base, tuned
        case lossChange = "loss_change", relativeLossChange = "relative_loss_change"
        case perplexityChange = "perplexity_change"
    }

    /// The comparison of `tuned` against `base`.
    public init(name: String, path: String, base: EvalResult, tuned: EvalResult?) {
        self.name = name
        self.path = path
        self.base = base
        self.tuned = tuned
        lossChange = tuned.map { $0.meanLoss - base.meanLoss }
        relativeLossChange = tuned.map { ($0.meanLoss - base.meanLoss) / max(base.meanLoss, .leastNormalMagnitude) }
        perplexityChange = tuned.map { $0.perplexity - base.perplexity }
    }
}
