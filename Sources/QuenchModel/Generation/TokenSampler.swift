import Foundation
import QuenchTensor
import QuenchRandom

/// Picks the next token from logits: greedy, or sampled with temperature, top-k and top-p from a
/// seeded generator, so a seed reproduces a generation exactly.
public struct TokenSampler: Sendable {
    /// Sampling settings; temperature 0 means greedy.
    public struct Settings: Sendable, Equatable {
        public var temperature: Double = 0
        public var topK: Int = 0
        public var topP: Double = 1
        public var seed: UInt64 = 0
        public init(temperature: Double = 0, topK: Int = 0, topP: Double = 1, seed: UInt64 = 0) {
            (self.temperature, self.topK, self.topP, self.seed) = (temperature, topK, topP, seed)
        }
    }

    public let settings: Settings
    private var generator: SplitMix64

    public init(_ settings: Settings) {
        self.settings = settings
        generator = SplitMix64(seed: settings.seed)
    }

    /// The next token id.
    public mutating func next(_ logits: [Float]) -> Int {
        let greedy = logits.withUnsafeBufferPointer(GreedyBatchGenerator.greedyToken)
        guard settings.temperature > 0 else { return greedy }
        var candidates = logits.indices.sorted { logits[$0] > logits[$1] }
        if settings.topK > 0 { candidates = Array(candidates.prefix(settings.topK)) }
        let top = Double(logits[candidates[0]])
        var weights = candidates.map { exp((Double(logits[$0]) - top) / settings.temperature) }
        let total = weights.reduce(0, +)
        weights = weights.map { $0 / total }
        if settings.topP < 1 {
            var cumulative = 0.0, keep = 0
            while keep < weights.count && cumulative < settings.topP {
                cumulative += weights[keep]
                keep += 1
            }
            candidates = Array(candidates.prefix(keep))
            weights = Array(weights.prefix(keep))
        }
        var draw = generator.nextUnitDouble() * weights.reduce(0, +)
        for (candidate, weight) in zip(candidates, weights) {
            draw -= weight
            if draw <= 0 { return candidate }
        }
        return candidates.last ?? greedy
    }
}
