import QuenchTensor

/// One GPT-2 block, forward and backward:
///   mid = x + o(attention(split(qkv(n1)))),   n1 = layernorm(x)
///   out = mid + proj(gelu(fc(n2))),           n2 = layernorm(mid)
extension CausalLM {
    func gpt2LayerForward(_ l: Int, _ batch: TokenBatch, _ ws: Workspace) throws {
        let p = "layers.\(l)."
        let x = try ws.activation("residual", l), n1 = try ws.activation("attn_norm", l)
        try normForward("attn_norm", input: x, output: n1, layer: l, ws)
        let qkv = try ws.activation("qkv")
        try Linear.forward(input: n1, weight: parameter(p + "qkv"), bias: parameter(p + "qkv_bias"), output: qkv)
        try adapt(p + "qkv", input: n1, output: qkv, ws)
        let q = try ws.activation("q", l), k = try ws.activation("k", l), v = try ws.activation("v", l)
        try FusedColumns.split(qkv, into: [q, k, v])
        let attended = try ws.activation("attn_out", l)
        try ws.attention.forward(query: q, key: k, value: v, output: attended,
                                 probabilities: ws.activation("probs", l), segments: batch.segments)
        let mid = try ws.activation("mid", l)
        try Linear.forward(input: attended, weight: parameter(p + "o"), bias: parameter(p + "o_bias"), output: mid)
        try adapt(p + "o", input: attended, output: mid, ws)
        try Elementwise.accumulate(x, into: mid)
        let n2 = try ws.activation("mlp_norm", l)
        try normForward("mlp_norm", input: mid, output: n2, layer: l, ws)
        let fc = try ws.activation("fc", l), act = try ws.activation("act", l)
        try Linear.forward(input: n2, weight: parameter(p + "fc"), bias: parameter(p + "fc_bias"), output: fc)
        try adapt(p + "fc", input: n2, output: fc, ws)
        try GELU.forward(input: fc, output: act)
        let out = try ws.activation("residual", l + 1)
        try Linear.forward(input: act, weight: parameter(p + "proj"), bias: parameter(p + "proj_bias"), output: out)
        try adapt(p + "proj", input: act, output: out, ws)
        try Elementwise.accumulate(mid, into: out)
    }

    /// On entry the workspace's `residual` gradient holds ∂L/∂out; on exit it holds ∂L/∂x.
    func gpt2LayerBackward(_ l: Int, _ batch: TokenBatch, _ ws: Workspace, _ grads: ParameterGradients) throws {
        let p = "layers.\(l)."
        let dStream = try ws.gradient("residual", zeroed: false)
        let dAct = try ws.gradient("act")
        try Linear.backward(outputGrad: dStream, input: ws.activation("act", l), weight: parameter(p + "proj"),
                            inputGrad: dAct, weightGrad: grads[p + "proj"], biasGrad: grads[p + "proj_bias"])
        try adaptBackward(p + "proj", input: ws.activation("act", l), outputGrad: dStream, inputGrad: dAct, ws)
        let dFc = try ws.gradient("fc")
        try GELU.backward(input: ws.activation("fc", l), outputGrad: dAct, inputGrad: dFc)
        let dNorm = try ws.gradient("norm")
        try Linear.backward(outputGrad: dFc, input: ws.activation("mlp_norm", l), weight: parameter(p + "fc"),
                            inputGrad: dNorm, weightGrad: grads[p + "fc"], biasGrad: grads[p + "fc_bias"])
        try adaptBackward(p + "fc", input: ws.activation("mlp_norm", l), outputGrad: dFc, inputGrad: dNorm, ws)
        try normBackward("mlp_norm", outputGrad: dNorm, input: ws.activation("mid", l), inputGrad: dStream,
                         layer: l, ws, grads)
        let dAttended = try ws.gradient("attn_out")
        try Linear.backward(outputGrad: dStream, input: ws.activation("attn_out", l), weight: parameter(p + "o"),
                            inputGrad: dAttended, weightGrad: grads[p + "o"], biasGrad: grads[p + "o_bias"])
        try adaptBackward(p + "o", input: ws.activation("attn_out", l), outputGrad: dStream, inputGrad: dAttended, ws)
        let dq = try ws.gradient("q"), dk = try ws.gradient("k"), dv = try ws.gradient("v")
        try ws.attention.backward(
            outputGrad: dAttended, query: ws.activation("q", l), key: ws.activation("k", l),
            value: ws.activation("v", l), probabilities: ws.activation("probs", l),
            queryGrad: dq, keyGrad: dk, valueGrad: dv, scratch: ws.gradient("probs", zeroed: false))
        let dQKV = try ws.gradient("qkv", zeroed: false)
        try FusedColumns.join([dq, dk, dv], into: dQKV)
        let dNorm1 = try ws.gradient("norm")
        try Linear.backward(outputGrad: dQKV, input: ws.activation("attn_norm", l), weight: parameter(p + "qkv"),
                            inputGrad: dNorm1, weightGrad: grads[p + "qkv"], biasGrad: grads[p + "qkv_bias"])
        try adaptBackward(p + "qkv", input: ws.activation("attn_norm", l), outputGrad: dQKV, inputGrad: dNorm1, ws)
        try normBackward("attn_norm", outputGrad: dNorm1, input: ws.activation("residual", l), inputGrad: dStream,
                         layer: l, ws, grads)
    }
}

/// Moves column blocks between a fused (N, W₀+W₁+…) matrix and separate (N, Wᵢ) matrices, as the
/// fused q|k|v projections need.
enum FusedColumns {
    /// parts[i] (N,Wᵢ) = fused (N, ΣW)[:, the i-th block of columns].
    static func split(_ fused: Tensor, into parts: [Tensor]) throws {
        let layout = try blocks(fused, parts)
        let rows = fused.rows, stride = fused.columns, source = fused.pointer
        Parallelism.cores.forEachRange(rows, grain: 16) { range in
            for row in range {
                for (target, offset, width) in layout {
                    (target + row * width).update(from: source + row * stride + offset, count: width)
                }
            }
        }
    }

    /// fused (N, ΣW)[:, the i-th block of columns] = parts[i] (N,Wᵢ).
    static func join(_ parts: [Tensor], into fused: Tensor) throws {
        let layout = try blocks(fused, parts)
        let rows = fused.rows, stride = fused.columns, target = fused.pointer
        Parallelism.cores.forEachRange(rows, grain: 16) { range in
            for row in range {
                for (source, offset, width) in layout {
                    (target + row * stride + offset).update(from: source + row * width, count: width)
                }
            }
        }
    }

    /// Each part's pointer, column offset in the fused matrix, and width.
    private static func blocks(_ fused: Tensor, _ parts: [Tensor]) throws -> [(UnsafeMutablePointer<Float>, Int, Int)] {
        var offset = 0
        var layout: [(UnsafeMutablePointer<Float>, Int, Int)] = []
        for part in parts {
            guard part.rows == fused.rows else { break }
            layout.append((part.pointer, offset, part.columns))
            offset += part.columns
        }
        guard layout.count == parts.count, offset == fused.columns else {
            throw TensorError.shapeMismatch(
                operation: "FusedColumns",
                detail: "fused \(fused.shape) does not split into " + parts.map { "\($0.shape)" }.joined(separator: " + "))
        }
        return layout
    }
}
