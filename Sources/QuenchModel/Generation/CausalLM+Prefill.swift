extension CausalLM {
    /// Runs the whole prompt in one batched forward pass and fills the cache of `state` from its
    /// keys and values, leaving the logits after the last prompt token in `state.logits`.
    public func prefill(_ prompt: [Int32], state: DecodeState) throws {
        try prefill([prompt], state: state.batch)
    }
}
