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
        try project(p + "qkv", input: n1, output: qkv, ws)
        let q = try ws.activation("q", l), k = try ws.activation("k", l), v = try ws.activation("v", l)
        try FusedColumns.split(qkv, into: [q, k, v])
        let attended = try ws.activation("attn_out", l)
        try ws.attention.forward(query: q, key: k, value: v, output: attended,
                                 probabilities: ws.activation("probs", l), segments: batch.segments)
        let mid = try ws.activation("mid", l)
        try project(p + "o", input: attended, output: mid, ws)
        try Elementwise.accumulate(x, into: mid)
        let n2 = try ws.activation("mlp_norm", l)
        try normForward("mlp_norm", input: mid, output: n2, layer: l, ws)
        let fc = try ws.activation("fc", l), act = try ws.activation("act", l)
        try project(p + "fc", input: n2, output: fc, ws)
        try GELU.forward(input: fc, output: act)
        let out = try ws.activation("residual", l + 1)
        try project(p + "proj", input: act, output: out, ws)
        try Elementwise.accumulate(mid, into: out)
    }

    /// On entry the workspace's `residual` gradient holds ∂L/∂out; on exit it holds ∂L/∂x.
    func gpt2LayerBackward(_ l: Int, _ batch: TokenBatch, _ ws: Workspace, _ grads: ParameterGradients) throws {
        let p = "layers.\(l)."
        let dStream = try ws.gradient("residual", zeroed: false)
        let dAct = try ws.gradient("act")
        try projectBackward(p + "proj", input: ws.activation("act", l), outputGrad: dStream, inputGrad: dAct, ws, grads)
        let dFc = try ws.gradient("fc")
        try GELU.backward(input: ws.activation("fc", l), outputGrad: dAct, inputGrad: dFc)
        let dNorm = try ws.gradient("norm")
        try projectBackward(p + "fc", input: ws.activation("mlp_norm", l), outputGrad: dFc, inputGrad: dNorm, ws, grads)
        try normBackward("mlp_norm", outputGrad: dNorm, input: ws.activation("mid", l), inputGrad: dStream,
                         layer: l, ws, grads)
        let dAttended = try ws.gradient("attn_out")
        try projectBackward(p + "o", input: ws.activation("attn_out", l), outputGrad: dStream, inputGrad: dAttended,
                            ws, grads)
        let (dq, dk, dv) = try attentionBackward(l, outputGrad: dAttended, ws)
        let dQKV = try ws.gradient("qkv", zeroed: false)
        try FusedColumns.join([dq, dk, dv], into: dQKV)
        let dNorm1 = try ws.gradient("norm")
        try projectBackward(p + "qkv", input: ws.activation("attn_norm", l), outputGrad: dQKV, inputGrad: dNorm1, ws, grads)
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
