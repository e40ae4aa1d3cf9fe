import QuenchTensor

/// One Llama decoder layer, forward and backward:
///   mid = x + o(attention(rope(q(n1)), rope(k(n1)), v(n1))),   n1 = rmsnorm(x)
///   out = mid + down(silu(gate(n2)) ⊙ up(n2)),                  n2 = rmsnorm(mid)
/// q, k and v are one GEMM with the three weights stacked (they are adjacent in the parameter
/// block), and so are gate and up; each projection has a bias when the config says so.
extension CausalLM {
    func llamaLayerForward(_ l: Int, _ batch: TokenBatch, _ ws: Workspace) throws {
        let p = "layers.\(l)."
        let x = try ws.activation("residual", l), n1 = try ws.activation("attn_norm", l)
        try normForward("attn_norm", input: x, output: n1, layer: l, ws)
        let q = try ws.activation("q", l), k = try ws.activation("k", l), v = try ws.activation("v", l)
        let qkv = try ws.activation("qkv")
        try Linear.forward(input: n1, weight: parameters.contiguous(qkvNames(p)), bias: qkvBias(p), output: qkv,
                           engine: engine)
        let (qWidth, kWidth) = (q.columns, k.columns)
        for (name, offset) in [("q", 0), ("k", qWidth), ("v", qWidth + kWidth)] {
            try adapt(p + name, input: n1, output: qkv, columnOffset: offset, ws)
        }
        try FusedColumns.split(qkv, into: [q, k, v])
        try ws.rotary?.forward(q, batch: batch.batch, time: batch.time, positions: batch.positions)
        try ws.rotary?.forward(k, batch: batch.batch, time: batch.time, positions: batch.positions)
        let attended = try ws.activation("attn_out", l)
        try ws.attention.forward(query: q, key: k, value: v, output: attended,
                                 probabilities: ws.activation("probs", l), segments: batch.segments)
        let mid = try ws.activation("mid", l)
        try project(p + "o", input: attended, output: mid, ws)
        try Elementwise.accumulate(x, into: mid)
        let n2 = try ws.activation("mlp_norm", l)
        try normForward("mlp_norm", input: mid, output: n2, layer: l, ws)
        let gateUp = try ws.activation("gate_up", l), act = try ws.activation("act", l)
        try Linear.forward(input: n2, weight: parameters.contiguous(gateUpNames(p)), bias: gateUpBias(p), output: gateUp,
                           engine: engine)
        try adapt(p + "gate", input: n2, output: gateUp, ws)
        try adapt(p + "up", input: n2, output: gateUp, columnOffset: act.columns, ws)
        try SwiGLU.forward(gateUp: gateUp, output: act)
        let out = try ws.activation("residual", l + 1)
        try project(p + "down", input: act, output: out, ws)
        try Elementwise.accumulate(mid, into: out)
    }

    /// On entry the workspace's `residual` gradient holds ∂L/∂out; on exit it holds ∂L/∂x.
    func llamaLayerBackward(_ l: Int, _ batch: TokenBatch, _ ws: Workspace, _ grads: ParameterGradients) throws {
        let p = "layers.\(l)."
        let dStream = try ws.gradient("residual", zeroed: false)
        // MLP branch: out = mid + down(act)
        let dAct = try ws.gradient("act")
        try projectBackward(p + "down", input: ws.activation("act", l), outputGrad: dStream, inputGrad: dAct, ws, grads)
        let dGateUp = try ws.gradient("gate_up")
        try SwiGLU.backward(gateUp: ws.activation("gate_up", l), outputGrad: dAct, gateUpGrad: dGateUp)
        let dNorm = try ws.gradient("norm")
        try Linear.backward(outputGrad: dGateUp, input: ws.activation("mlp_norm", l),
                            weight: parameters.contiguous(gateUpNames(p)), inputGrad: dNorm,
                            weightGrad: grads.contiguous(gateUpNames(p)),
                            biasGrad: config.mlpBias ? grads.contiguous(gateUpNames(p).map { $0 + "_bias" }) : nil,
                            engine: engine)
        try adaptBackward(p + "gate", input: ws.activation("mlp_norm", l), outputGrad: dGateUp, inputGrad: dNorm, ws)
        try adaptBackward(p + "up", input: ws.activation("mlp_norm", l), outputGrad: dGateUp,
                          columnOffset: dAct.columns, inputGrad: dNorm, ws)
        try normBackward("mlp_norm", outputGrad: dNorm, input: ws.activation("mid", l), inputGrad: dStream,
                         layer: l, ws, grads)
        // Attention branch: mid = x + o(attended)
        let dAttended = try ws.gradient("attn_out")
        try projectBackward(p + "o", input: ws.activation("attn_out", l), outputGrad: dStream, inputGrad: dAttended,
                            ws, grads)
        let (dq, dk, dv) = try attentionBackward(l, outputGrad: dAttended, ws)
        try ws.rotary?.backward(dq, batch: batch.batch, time: batch.time, positions: batch.positions)
        try ws.rotary?.backward(dk, batch: batch.batch, time: batch.time, positions: batch.positions)
        let dQKV = try ws.gradient("qkv", zeroed: false)
        try FusedColumns.join([dq, dk, dv], into: dQKV)
        let dNorm1 = try ws.gradient("norm")
        let biasNames = config.attentionBias ? qkvNames(p).map { $0 + "_bias" } : []
        try Linear.backward(outputGrad: dQKV, input: ws.activation("attn_norm", l),
                            weight: parameters.contiguous(qkvNames(p)), inputGrad: dNorm1,
                            weightGrad: grads.contiguous(qkvNames(p)),
                            biasGrad: biasNames.isEmpty ? nil : grads.contiguous(biasNames), engine: engine)
        for (name, offset) in [("q", 0), ("k", dq.columns), ("v", dq.columns + dk.columns)] {
            try adaptBackward(p + name, input: ws.activation("attn_norm", l), outputGrad: dQKV, columnOffset: offset,
                              inputGrad: dNorm1, ws)
        }
        try normBackward("attn_norm", outputGrad: dNorm1, input: ws.activation("residual", l), inputGrad: dStream,
                         layer: l, ws, grads)
    }

    /// The q, k and v weight names of a layer, adjacent in the parameter block.
    func qkvNames(_ prefix: String) -> [String] { [prefix + "q", prefix + "k", prefix + "v"] }

    /// The stacked q|k|v bias (Qwen2), or nil.
    func qkvBias(_ prefix: String) throws -> Tensor? {
        config.attentionBias ? try parameters.contiguous(qkvNames(prefix).map { $0 + "_bias" }) : nil
    }

    /// The gate and up weight names of a layer, adjacent in the parameter block.
    func gateUpNames(_ prefix: String) -> [String] { [prefix + "gate", prefix + "up"] }

    /// The stacked gate|up bias (Llama's `mlp_bias`), or nil.
    func gateUpBias(_ prefix: String) throws -> Tensor? {
        config.mlpBias ? try parameters.contiguous(gateUpNames(prefix).map { $0 + "_bias" }) : nil
    }

    /// The bias `name` when the model has it, else nil.
    func bias(_ name: String) throws -> Tensor? {
        parameters.contains(name) ? try parameter(name) : nil
    }
}
