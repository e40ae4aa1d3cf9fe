import QuenchTensor

extension CausalLM {
    /// Runs the whole prompt in one batched forward pass and fills the cache of `state` from its
    /// keys and values, leaving the logits after the last prompt token in `state.logits`.
    public func prefill(_ prompt: [Int32], state: DecodeState) throws {
        guard adapters == nil else {
            throw TensorError.invalidArgument(
                operation: "generation", detail: "the model has unmerged LoRA adapters; merge them into the weights first")
        }
        guard !prompt.isEmpty, state.length == 0, prompt.count < state.capacity else {
            throw TensorError.invalidArgument(
                operation: "prefill",
                detail: "a prompt of \(prompt.count) tokens needs an empty cache of more positions (has \(state.capacity))")
        }
        let n = prompt.count
        let workspace = try Workspace(config: config, batch: 1, time: n, training: false, lossChunkRows: 1)
        try forward(TokenBatch(batch: 1, time: n, inputs: prompt), workspace: workspace)
        for layer in 0..<config.layers {
            for name in ["k", "v"] {
                let source = try workspace.activation(name, layer)
                let cache = try state.buffer(name == "k" ? "keys.\(layer)" : "values.\(layer)")
                cache.pointer.update(from: source.pointer, count: source.count)
            }
        }
        let last = try workspace.activation("final_norm").rowSlice((n - 1)..<n)
        try MatMul.multiply(last, .none, parameter(ParameterTable.headName(for: config)), .transposed,
                            into: state.buffer("logits"), engine: engine)
        state.length = n
    }
}
