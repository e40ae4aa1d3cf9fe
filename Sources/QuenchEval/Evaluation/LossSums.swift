/// What the evaluator accumulates over its passes: Σ nll and Σ nll² of the scored targets, and their count.
struct LossSums {
    var summed = 0.0
    var squares = 0.0
    var scored = 0

    /// Adds another pass's sums.
    mutating func add(_ other: LossSums) {
        summed += other.summed
        squares += other.squares
        scored += other.scored
    }
}
