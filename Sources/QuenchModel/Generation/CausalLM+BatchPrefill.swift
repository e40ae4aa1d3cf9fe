import QuenchTensor

extension CausalLM {
    /// Runs every prompt in one batched forward pass, right-padded to the longest, and fills slot i
    /// of the empty `state` with prompt i's keys and values, leaving in logits row i the logits
    /// after prompt i's last token. Causal attention keeps padding out of every real position.
    func prefill(_ prompts: [[Int32]], state: BatchDecodeState) throws {
        try requireMergedAdapters()
        let rows = prompts.count, time = prompts.map(\.count).max() ?? 0
        guard rows > 0, rows <= state.rows, state.lengths.allSatisfy({ $0 == 0 }),
              prompts.allSatisfy({ !$0.isEmpty && $0.count < state.capacity }) else {
            throw TensorError.invalidArgument(
                operation: "prefill",
                detail: "\(rows) prompts of \(prompts.map(\.count)) tokens need an empty cache of \(state.rows) rows "
                    + "of more positions (has \(state.capacity))")
        }
        let padded = prompts.flatMap { $0 + Array(repeating: 0, count: time - $0.count) }
        let workspace = try Workspace(config: config, batch: rows, time: time, training: false, lossChunkRows: 1)
        try forward(TokenBatch(batch: rows, time: time, inputs: padded), workspace: workspace)
        let last = try state.buffer("norm", rows: rows), hidden = try workspace.activation("final_norm")
        for (slot, prompt) in prompts.enumerated() {
            let start = slot * time, n = prompt.count
            for layer in 0..<config.layers {
                for (name, kind) in [("k", "keys"), ("v", "values")] {
                    let source = try workspace.activation(name, layer).rowSlice(start..<(start + n))
                    try state.cache(kind, layer: layer, slot: slot).rowSlice(0..<n).copy(from: source)
                }
            }
            try last.rowSlice(slot..<(slot + 1)).copy(from: hidden.rowSlice((start + n - 1)..<(start + n)))
            state.lengths[slot] = n
        }
        try MatMul.multiply(last, .none, parameter(ParameterTable.headName(for: config)), .transposed,
                            into: state.buffer("logits", rows: rows), engine: engine)
    }
}
