import Foundation

/// SiLU, x·σ(x), and the SwiGLU product silu(gate) · up of Llama's MLP.
///
/// Shapes: N rows, H hidden channels; gate, up and output are (N,H).
public enum SiLU {
    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

    @inline(__always) static func derivative(_ x: Float) -> Float {
        let s = sigmoid(x)
        return s * (1 + x * (1 - s))
    }

    /// output = silu(input).
    public static func forward(input: Tensor, output: Tensor, parallelism: Parallelism = .cores) throws {
        try Elementwise.map("SiLU.forward", input, into: output, parallelism: parallelism) { x in x * sigmoid(x) }
    }

    /// inputGrad += outputGrad · silu′(input).
    public static func backward(
        input: Tensor, outputGrad: Tensor, inputGrad: Tensor, parallelism: Parallelism = .cores
    ) throws {
        try Elementwise.mapBackward(
            "SiLU.backward", input: input, outputGrad: outputGrad, inputGrad: inputGrad,
            parallelism: parallelism, derivative)
    }
}

/// The gated product of Llama's MLP: output = silu(gate) ⊙ up.
public enum SwiGLU {
    /// output (N,H) = silu(gate (N,H)) ⊙ up (N,H).
    public static func forward(gate: Tensor, up: Tensor, output: Tensor, parallelism: Parallelism = .cores) throws {
        try Elementwise.checkSameCount("SwiGLU.forward", gate, up, output)
        let g = gate.pointer, u = up.pointer, y = output.pointer
        parallelism.forEachRange(output.count, grain: Elementwise.grain / 4) { range in
            for i in range { y[i] = g[i] * SiLU.sigmoid(g[i]) * u[i] }
        }
    }

    /// gateGrad += dy ⊙ up ⊙ silu′(gate); upGrad += dy ⊙ silu(gate).
    public static func backward(
        gate: Tensor, up: Tensor, outputGrad: Tensor, gateGrad: Tensor, upGrad: Tensor,
        parallelism: Parallelism = .cores
    ) throws {
        try Elementwise.checkSameCount("SwiGLU.backward", gate, up, outputGrad, gateGrad, upGrad)
        let g = gate.pointer, u = up.pointer, dy = outputGrad.pointer
        let dg = gateGrad.pointer, du = upGrad.pointer
        parallelism.forEachRange(gate.count, grain: Elementwise.grain / 4) { range in
            for i in range {
                let s = SiLU.sigmoid(g[i])
                dg[i] += dy[i] * u[i] * s * (1 + g[i] * (1 - s))
                du[i] += dy[i] * g[i] * s
            }
        }
    }
}
