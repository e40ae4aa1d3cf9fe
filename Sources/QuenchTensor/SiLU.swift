import Foundation

/// SiLU, x·σ(x), and the SwiGLU product silu(gate) · up of Llama's MLP.
///
/// Shapes: N rows, H hidden channels; gate, up and output are (N,H).
public enum SiLU {
    typealias Vector = VectorMath.Vector

    /// silu′(x) = σ(x) (1 + x (1 − σ(x))).
    @inline(__always) static func derivative(_ x: Vector) -> Vector {
        let s = VectorMath.sigmoid(x)
        return s * (1 + x * (1 - s))
    }

    /// output = silu(input).
    public static func forward(input: Tensor, output: Tensor, parallelism: Parallelism = .cores) throws {
        try Elementwise.map("SiLU.forward", input, into: output, parallelism: parallelism) { x in
            x * VectorMath.sigmoid(x)
        }
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

/// The gated product of Llama's MLP: output = silu(gate) ⊙ up, with gate and up side by side in one
/// (N, 2H) matrix, as one GEMM with the stacked gate and up weights produces them.
///
/// Shapes: gateUp (N, 2H): gate in columns 0..<H, up in H..<2H; output (N,H).
public enum SwiGLU {
    typealias Vector = VectorMath.Vector

    /// output (N,H) = silu(gateUp[:, :H]) ⊙ gateUp[:, H:].
    public static func forward(gateUp: Tensor, output: Tensor, parallelism: Parallelism = .cores) throws {
        let hidden = try check("SwiGLU.forward", gateUp, output)
        let source = gateUp.pointer, y = output.pointer
        parallelism.forEachRange(output.rows, grain: 4) { rows in
            for row in rows {
                let g = source + row * 2 * hidden, u = g + hidden, out = y + row * hidden
                var i = 0
                while i + 8 <= hidden {
                    let x = VectorMath.load(g + i)
                    VectorMath.store(x * VectorMath.sigmoid(x) * VectorMath.load(u + i), out + i)
                    i += 8
                }
                while i < hidden {
                    out[i] = g[i] / (1 + expf(-g[i])) * u[i]
                    i += 1
                }
            }
        }
    }

    /// gateUpGrad[:, :H] += dy ⊙ up ⊙ silu′(gate); gateUpGrad[:, H:] += dy ⊙ silu(gate).
    public static func backward(
        gateUp: Tensor, outputGrad: Tensor, gateUpGrad: Tensor, parallelism: Parallelism = .cores
    ) throws {
        let hidden = try check("SwiGLU.backward", gateUp, outputGrad)
        try Elementwise.checkSameCount("SwiGLU.backward", gateUp, gateUpGrad)
        let source = gateUp.pointer, dyBase = outputGrad.pointer, gradient = gateUpGrad.pointer
        parallelism.forEachRange(outputGrad.rows, grain: 4) { rows in
            for row in rows {
                let g = source + row * 2 * hidden, u = g + hidden, dy = dyBase + row * hidden
                let dg = gradient + row * 2 * hidden, du = dg + hidden
                var i = 0
                while i + 8 <= hidden {
                    let x = VectorMath.load(g + i), d = VectorMath.load(dy + i)
                    let s = VectorMath.sigmoid(x)
                    let gateTerm: Vector = d * VectorMath.load(u + i) * s * (1 + x * (1 - s))
                    VectorMath.store(VectorMath.load(dg + i) + gateTerm, dg + i)
                    VectorMath.store(VectorMath.load(du + i) + d * x * s, du + i)
                    i += 8
                }
                while i < hidden {
                    let s = 1 / (1 + expf(-g[i]))
                    dg[i] += dy[i] * u[i] * s * (1 + g[i] * (1 - s))
                    du[i] += dy[i] * g[i] * s
                    i += 1
                }
            }
        }
    }

    /// H, after checking that gateUp is (N, 2H) for an output of (N, H).
    private static func check(_ operation: String, _ gateUp: Tensor, _ output: Tensor) throws -> Int {
        let hidden = output.columns
        guard gateUp.columns == 2 * hidden, gateUp.rows == output.rows else {
            throw TensorError.shapeMismatch(
                operation: operation,
                detail: "gateUp \(describe(gateUp.shape)) must be (N, 2H) for output \(describe(output.shape))")
        }
        return hidden
    }
}
