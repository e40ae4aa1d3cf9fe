/// Incremental decoding of one sequence: the batched step with one row.
extension CausalLM {
    /// Feeds `token` at the next position of `state`, appends its keys and values to the cache, and
    /// leaves the next-token logits in `state.logits`.
    public func step(token: Int32, state: DecodeState) throws {
        try step(tokens: [token], slots: [0], state: state.batch)
    }
}
