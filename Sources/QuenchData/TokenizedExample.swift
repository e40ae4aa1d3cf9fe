/// One record's token ids and, per token, whether it is a training target (the loss is put on it).
public struct TokenizedExample: Sendable, Equatable {
    /// The token ids.
    public var ids: [Int32]
    /// `scored[i]`: token i is predicted with loss; same length as `ids`.
    public var scored: [Bool]

    /// Creates an example; `scored` must have one flag per id.
    public init(ids: [Int32], scored: [Bool]) {
        self.ids = ids
        self.scored = scored
    }

    /// Number of scored tokens that can be predicted (the first token has no context, so it never is).
    public var scoredTargets: Int { scored.dropFirst().reduce(0) { $0 + ($1 ? 1 : 0) } }
}
