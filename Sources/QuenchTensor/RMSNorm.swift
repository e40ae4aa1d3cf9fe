/// Root-mean-square normalisation as Llama uses it: y = x · rstd · weight, rstd = 1/√(mean(x²) + ε).
///
/// Shapes: N rows, C channels; rstd (N) is saved by the forward pass for the backward.
public enum RMSNorm {
    /// output (N,C), rstd (N) from input (N,C), weight (C).
    public static func forward(
        input: Tensor, weight: Tensor, output: Tensor, rstd: Tensor,
        epsilon: Float = 1e-5, parallelism: Parallelism = .cores
    ) throws {
        let (rows, channels) = try check(input, weight, output, rstd, "RMSNorm.forward")
        let x = input.pointer, w = weight.pointer, y = output.pointer, rs = rstd.pointer
        parallelism.forEachRange(rows, grain: 4) { range in
            for row in range {
                let xi = x + row * channels, yi = y + row * channels
                let sumSquares = VectorMath.dot(xi, xi, channels)
                let s = 1 / (sumSquares / Float(channels) + epsilon).squareRoot()
                for c in 0..<channels { yi[c] = xi[c] * s * w[c] }
                rs[row] = s
            }
        }
    }

    /// inputGrad (N,C) += rstd · (w·dy − x̂ · mean(w·dy·x̂)); weightGrad (C) += Σ dy·x̂.
    public static func backward(
        outputGrad: Tensor, input: Tensor, weight: Tensor, rstd: Tensor,
        inputGrad: Tensor, weightGrad: Tensor?, parallelism: Parallelism = .cores
    ) throws {
        let (rows, channels) = try check(input, weight, outputGrad, rstd, "RMSNorm.backward")
        guard inputGrad.count == input.count, weightGrad.map({ $0.count == channels }) ?? true else {
            throw TensorError.shapeMismatch(
                operation: "RMSNorm.backward", detail: "gradients must match input \(describe(input.shape))")
        }
        let x = input.pointer, w = weight.pointer, dy = outputGrad.pointer, dx = inputGrad.pointer
        let rs = rstd.pointer
        parallelism.forEachRange(rows, grain: 4) { range in
            for row in range {
                let xi = x + row * channels, dyi = dy + row * channels, dxi = dx + row * channels
                let s = rs[row]
                // mean(dy·w·x̂) with x̂ = x·s, the factor s taken out of the sum.
                var dot: Float = 0
                for c in 0..<channels { dot += dyi[c] * w[c] * xi[c] }
                let meanDot = dot * s / Float(channels)
                for c in 0..<channels {
                    dxi[c] += s * (dyi[c] * w[c] - xi[c] * s * meanDot)
                }
            }
        }
        guard let weightGrad else { return }
        let dw = weightGrad.pointer
        parallelism.forEachRange(channels, grain: 32) { range in
            for row in 0..<rows {
                let xi = x + row * channels, dyi = dy + row * channels
                let s = rs[row]
                for c in range { dw[c] += dyi[c] * xi[c] * s }
            }
        }
    }

    private static func check(
        _ input: Tensor, _ weight: Tensor, _ output: Tensor, _ rstd: Tensor, _ operation: String
    ) throws -> (Int, Int) {
        let channels = input.columns, rows = input.rows
        guard weight.count == channels, output.count == input.count, output.columns == channels,
              rstd.count == rows else {
            throw TensorError.shapeMismatch(
                operation: operation,
                detail: "input \(describe(input.shape)), weight \(describe(weight.shape)), "
                    + "output \(describe(output.shape)), rstd \(describe(rstd.shape))")
        }
        return (rows, channels)
    }
}
