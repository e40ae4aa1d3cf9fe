import QuenchTensor

/// Incremental decoding of several sequences at once: one token per sequence over their key/value
/// caches, every projection one matrix product with a row per sequence.
extension CausalLM {
    /// Feeds `tokens[i]` at the next position of slot `slots[i]` of `state`, appends its keys and
    /// values to that slot's cache, and leaves its next-token logits in logits row `i`.
    func step(tokens: [Int32], slots: [Int], state: BatchDecodeState) throws {
        try requireMergedAdapters()
        let m = slots.count
        guard m > 0, tokens.count == m, Set(slots).count == m, slots.allSatisfy(state.lengths.indices.contains) else {
            throw TensorError.invalidArgument(
                operation: "step", detail: "\(tokens.count) tokens for slots \(slots) of a state of \(state.rows) rows")
        }
        if let full = slots.first(where: { state.lengths[$0] >= state.capacity }) {
            throw TensorError.invalidArgument(
                operation: "step", detail: "the cache of \(state.capacity) positions of row \(full) is full")
        }
        let positions = slots.map { Int32(state.lengths[$0]) }
        let x = try state.buffer("x", rows: m)
        try Embedding.forward(ids: tokens, table: parameter("embed"), output: x)
        if config.architecture == .gpt2 {
            try Embedding.forward(ids: positions, table: parameter("positions"), output: x, accumulate: true)
        }
        for layer in 0..<config.layers {
            try decodeAttention(layer, positions: positions, slots: slots, state)
            try decodeMLP(layer, rows: m, state)
        }
        let norm = try state.buffer("norm", rows: m)
        try stepNorm("final_norm", prefix: "", input: x, rows: m, output: norm, state)
        try MatMul.multiply(norm, .none, parameter(ParameterTable.headName(for: config)), .transposed,
                            into: state.buffer("logits", rows: m), engine: engine)
        for slot in slots { state.lengths[slot] += 1 }
    }

    /// Refuses generation while LoRA adapters sit beside the weights: the cached paths run the base
    /// projections only.
    func requireMergedAdapters() throws {
        guard adapters == nil else {
            throw TensorError.invalidArgument(
                operation: "generation", detail: "the model has unmerged LoRA adapters; merge them into the weights first")
        }
    }

    private func decodeAttention(_ l: Int, positions: [Int32], slots: [Int], _ state: BatchDecodeState) throws {
        let m = slots.count, p = "layers.\(l).", x = try state.buffer("x", rows: m)
        let norm = try state.buffer("norm", rows: m)
        try stepNorm("attn_norm", prefix: p, input: x, rows: m, output: norm, state)
        let q = try state.buffer("q", rows: m), k = try state.buffer("k", rows: m), v = try state.buffer("v", rows: m)
        let qkv = try state.buffer("qkv", rows: m)
        switch config.architecture {
        case .llama:
            try Linear.forward(input: norm, weight: parameters.contiguous(qkvNames(p)), bias: qkvBias(p), output: qkv,
                               engine: engine)
            try FusedColumns.split(qkv, into: [q, k, v])
            try state.rotary?.forward(q, batch: m, time: 1, positions: positions)
            try state.rotary?.forward(k, batch: m, time: 1, positions: positions)
        case .gpt2:
            try Linear.forward(input: norm, weight: parameter(p + "qkv"), bias: parameter(p + "qkv_bias"), output: qkv,
                               engine: engine)
            try FusedColumns.split(qkv, into: [q, k, v])
        }
        let attended = try state.buffer("attended", rows: m)
        try attendCached(layer: l, slots: slots, positions: positions, k: k, v: v, q: q, into: attended, state)
        let branch = try state.buffer("branch", rows: m)
        try Linear.forward(input: attended, weight: parameter(p + "o"), bias: bias(p + "o_bias"), output: branch,
                           engine: engine)
        try Elementwise.accumulate(branch, into: x)
    }

    /// Appends row i of `k` and `v` to slot `slots[i]`'s cache at `positions[i]`, then attends row
    /// i of `q` over that slot's positions up to and including it; rows run on the compute team.
    private func attendCached(layer l: Int, slots: [Int], positions: [Int32], k: Tensor, v: Tensor, q: Tensor,
                              into attended: Tensor, _ state: BatchDecodeState) throws {
        let m = slots.count
        var rows: [(query: Tensor, keys: Tensor, values: Tensor, output: Tensor, scores: Tensor, length: Int)] = []
        rows.reserveCapacity(m)
        let scores = try state.buffer("scores", rows: m)
        for (i, slot) in slots.enumerated() {
            let keys = try state.cache("keys", layer: l, slot: slot), values = try state.cache("values", layer: l, slot: slot)
            let position = Int(positions[i])
            try keys.rowSlice(position..<(position + 1)).copy(from: k.rowSlice(i..<(i + 1)))
            try values.rowSlice(position..<(position + 1)).copy(from: v.rowSlice(i..<(i + 1)))
            try rows.append((q.rowSlice(i..<(i + 1)), keys, values, attended.rowSlice(i..<(i + 1)),
                         scores.rowSlice(i..<(i + 1)), position + 1))
        }
        var failures = [(any Error)?](repeating: nil, count: m)
        let (heads, keyValueHeads, headSize) = (config.heads, config.keyValueHeads, config.headSize)
        failures.withUnsafeMutableBufferPointer { failed in
            Parallelism.cores.forEachRange(m) { range in
                for i in range {
                    let row = rows[i]
                    do {
                        try CachedAttention.attend(
                            query: row.query, keys: row.keys, values: row.values, length: row.length, output: row.output,
                            scores: row.scores, queryHeads: heads, keyValueHeads: keyValueHeads, headSize: headSize)
                    } catch {
                        failed[i] = error
                    }
                }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
    }

    private func decodeMLP(_ l: Int, rows m: Int, _ state: BatchDecodeState) throws {
        let p = "layers.\(l).", x = try state.buffer("x", rows: m), norm = try state.buffer("norm", rows: m)
        try stepNorm("mlp_norm", prefix: p, input: x, rows: m, output: norm, state)
        let act = try state.buffer("act", rows: m), branch = try state.buffer("branch", rows: m)
        switch config.architecture {
        case .llama:
            let gateUp = try state.buffer("gate_up", rows: m)
            try Linear.forward(input: norm, weight: parameters.contiguous(gateUpNames(p)), bias: gateUpBias(p),
                               output: gateUp, engine: engine)
            try SwiGLU.forward(gateUp: gateUp, output: act)
            try Linear.forward(input: act, weight: parameter(p + "down"), bias: bias(p + "down_bias"), output: branch,
                               engine: engine)
        case .gpt2:
            let fc = try state.buffer("fc", rows: m)
            try Linear.forward(input: norm, weight: parameter(p + "fc"), bias: parameter(p + "fc_bias"), output: fc,
                               engine: engine)
            try GELU.forward(input: fc, output: act)
            try Linear.forward(input: act, weight: parameter(p + "proj"), bias: parameter(p + "proj_bias"), output: branch,
                               engine: engine)
        }
        try Elementwise.accumulate(branch, into: x)
    }

    private func stepNorm(_ name: String, prefix: String, input: Tensor, rows m: Int, output: Tensor,
                          _ state: BatchDecodeState) throws {
        switch config.architecture {
        case .llama:
            try RMSNorm.forward(input: input, weight: parameter(prefix + name), output: output,
                                rstd: state.buffer("rstd", rows: m), epsilon: config.normEpsilon)
        case .gpt2:
            try LayerNorm.forward(input: input, weight: parameter(prefix + name), bias: parameter(prefix + name + "_bias"),
                                  output: output, mean: state.buffer("mean", rows: m), rstd: state.buffer("rstd", rows: m),
                                  epsilon: config.normEpsilon)
        }
    }
}
