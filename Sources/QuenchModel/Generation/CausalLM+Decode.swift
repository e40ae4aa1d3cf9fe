import QuenchTensor

/// Incremental decoding: one token at a time over a key/value cache, for generation.
extension CausalLM {
    /// Feeds `token` at the next position of `state`, appends its keys and values to the cache, and
    /// leaves the next-token logits in `state.logits`.
    public func step(token: Int32, state: DecodeState) throws {
        guard adapters == nil else {
            throw TensorError.invalidArgument(
                operation: "generation", detail: "the model has unmerged LoRA adapters; merge them into the weights first")
        }
        guard state.length < state.capacity else {
            throw TensorError.invalidArgument(operation: "step", detail: "the cache of \(state.capacity) positions is full")
        }
        let position = Int32(state.length)
        let x = try state.buffer("x")
        try Embedding.forward(ids: [token], table: parameter("embed"), output: x)
        if config.architecture == .gpt2 {
            try Embedding.forward(ids: [position], table: parameter("positions"), output: x, accumulate: true)
        }
        for layer in 0..<config.layers {
            try decodeAttention(layer, position: position, state)
            try decodeMLP(layer, state)
        }
        let norm = try state.buffer("norm")
        try stepNorm("final_norm", prefix: "", input: x, output: norm, state)
        try MatMul.multiply(norm, .none, parameter(ParameterTable.headName(for: config)), .transposed,
                            into: state.buffer("logits"), engine: engine)
        state.length += 1
    }

    private func decodeAttention(_ l: Int, position: Int32, _ state: DecodeState) throws {
        let p = "layers.\(l).", x = try state.buffer("x"), norm = try state.buffer("norm")
        try stepNorm("attn_norm", prefix: p, input: x, output: norm, state)
        let q = try state.buffer("q"), k = try state.buffer("k"), v = try state.buffer("v")
        let qkv = try state.buffer("qkv")
        switch config.architecture {
        case .llama:
            try Linear.forward(input: norm, weight: parameters.contiguous(qkvNames(p)), bias: qkvBias(p), output: qkv,
                               engine: engine)
            try FusedColumns.split(qkv, into: [q, k, v])
            try state.rotary?.forward(q, batch: 1, time: 1, positions: [position])
            try state.rotary?.forward(k, batch: 1, time: 1, positions: [position])
        case .gpt2:
            try Linear.forward(input: norm, weight: parameter(p + "qkv"), bias: parameter(p + "qkv_bias"), output: qkv,
                               engine: engine)
            try FusedColumns.split(qkv, into: [q, k, v])
        }
        let keys = try state.buffer("keys.\(l)"), values = try state.buffer("values.\(l)")
        let row = Int(position) * k.count
        (keys.pointer + row).update(from: k.pointer, count: k.count)
        (values.pointer + row).update(from: v.pointer, count: v.count)
        let attended = try state.buffer("attended")
        try CachedAttention.attend(
            query: q, keys: keys, values: values, length: Int(position) + 1, output: attended,
            scores: state.buffer("scores"), queryHeads: config.heads, keyValueHeads: config.keyValueHeads,
            headSize: config.headSize)
        let branch = try state.buffer("branch")
        try Linear.forward(input: attended, weight: parameter(p + "o"), bias: bias(p + "o_bias"), output: branch,
                           engine: engine)
        try Elementwise.accumulate(branch, into: x)
    }

    private func decodeMLP(_ l: Int, _ state: DecodeState) throws {
        let p = "layers.\(l).", x = try state.buffer("x"), norm = try state.buffer("norm")
        try stepNorm("mlp_norm", prefix: p, input: x, output: norm, state)
        let act = try state.buffer("act"), branch = try state.buffer("branch")
        switch config.architecture {
        case .llama:
            let gateUp = try state.buffer("gate_up")
            try Linear.forward(input: norm, weight: parameters.contiguous([p + "gate", p + "up"]), bias: nil, output: gateUp,
                               engine: engine)
            try SwiGLU.forward(gateUp: gateUp, output: act)
            try Linear.forward(input: act, weight: parameter(p + "down"), bias: nil, output: branch, engine: engine)
        case .gpt2:
            let fc = try state.buffer("fc")
            try Linear.forward(input: norm, weight: parameter(p + "fc"), bias: parameter(p + "fc_bias"), output: fc,
                               engine: engine)
            try GELU.forward(input: fc, output: act)
            try Linear.forward(input: act, weight: parameter(p + "proj"), bias: parameter(p + "proj_bias"), output: branch,
                               engine: engine)
        }
        try Elementwise.accumulate(branch, into: x)
    }

    private func stepNorm(_ name: String, prefix: String, input: Tensor, output: Tensor, _ state: DecodeState) throws {
        switch config.architecture {
        case .llama:
            try RMSNorm.forward(input: input, weight: parameter(prefix + name), output: output,
                                rstd: state.buffer("rstd"), epsilon: config.normEpsilon)
        case .gpt2:
            try LayerNorm.forward(input: input, weight: parameter(prefix + name), bias: parameter(prefix + name + "_bias"),
                                  output: output, mean: state.buffer("mean"), rstd: state.buffer("rstd"),
                                  epsilon: config.normEpsilon)
        }
    }
}
