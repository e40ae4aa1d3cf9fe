/// Layer normalisation as GPT-2 uses it: y = (x - mean) · rstd · weight + bias.
///
/// Shapes: N rows, C channels; mean and rstd (N) are saved by the forward pass for the backward.
public enum LayerNorm {
    /// output (N,C), mean (N), rstd (N) from input (N,C), weight (C), bias (C).
    public static func forward(
        input: Tensor, weight: Tensor, bias: Tensor, output: Tensor, mean: Tensor, rstd: Tensor,
        epsilon: Float = 1e-5, parallelism: Parallelism = .cores
    ) throws {
        let (rows, channels) = try check(input, weight, bias, output, mean, rstd, "LayerNorm.forward")
        let x = input.pointer, w = weight.pointer, b = bias.pointer, y = output.pointer
        let mu = mean.pointer, rs = rstd.pointer
        parallelism.forEachRange(rows, grain: 4) { range in
            for row in range {
                let xi = x + row * channels, yi = y + row * channels
                let m = VectorMath.sum(xi, channels) / Float(channels)
                // The variance from the centred values (no E[x²] − m² cancellation), staged in the output row.
                for c in 0..<channels { yi[c] = xi[c] - m }
                let variance = VectorMath.dot(yi, yi, channels) / Float(channels)
                let s = 1 / (variance + epsilon).squareRoot()
                for c in 0..<channels { yi[c] = yi[c] * s * w[c] + b[c] }
                mu[row] = m
                rs[row] = s
            }
        }
    }

    /// inputGrad (N,C) += ∂L/∂x; weightGrad (C) += Σ dy·x̂; biasGrad (C) += Σ dy.
    public static func backward(
        outputGrad: Tensor, input: Tensor, weight: Tensor, mean: Tensor, rstd: Tensor,
        inputGrad: Tensor, weightGrad: Tensor?, biasGrad: Tensor?, parallelism: Parallelism = .cores
    ) throws {
        let (rows, channels) = try check(input, weight, weight, outputGrad, mean, rstd, "LayerNorm.backward")
        guard inputGrad.count == input.count, weightGrad.map({ $0.count == channels }) ?? true,
              biasGrad.map({ $0.count == channels }) ?? true else {
            throw TensorError.shapeMismatch(
                operation: "LayerNorm.backward", detail: "gradients must match input \(describe(input.shape))")
        }
        let x = input.pointer, w = weight.pointer, dy = outputGrad.pointer, dx = inputGrad.pointer
        let mu = mean.pointer, rs = rstd.pointer
        parallelism.forEachRange(rows, grain: 4) { range in
            for row in range {
                let xi = x + row * channels, dyi = dy + row * channels, dxi = dx + row * channels
                let m = mu[row], s = rs[row]
                var meanG: Float = 0, meanGX: Float = 0
                for c in 0..<channels {
                    let g = dyi[c] * w[c]
                    meanG += g
                    meanGX += g * (xi[c] - m) * s
                }
                meanG /= Float(channels)
                meanGX /= Float(channels)
                for c in 0..<channels {
                    let xhat = (xi[c] - m) * s
                    dxi[c] += s * (dyi[c] * w[c] - meanG - xhat * meanGX)
                }
            }
        }
        guard weightGrad != nil || biasGrad != nil else { return }
        let dw = weightGrad?.pointer, db = biasGrad?.pointer
        parallelism.forEachRange(channels, grain: 32) { range in
            for row in 0..<rows {
                let xi = x + row * channels, dyi = dy + row * channels
                let m = mu[row], s = rs[row]
                for c in range {
                    dw?[c] += dyi[c] * (xi[c] - m) * s
                    db?[c] += dyi[c]
                }
            }
        }
    }

    private static func check(
        _ input: Tensor, _ weight: Tensor, _ bias: Tensor, _ output: Tensor, _ mean: Tensor, _ rstd: Tensor,
        _ operation: String
    ) throws -> (Int, Int) {
        let channels = input.columns, rows = input.rows
        guard weight.count == channels, bias.count == channels, output.count == input.count,
              output.columns == channels, mean.count == rows, rstd.count == rows else {
            throw TensorError.shapeMismatch(
                operation: operation,
                detail: "input \(describe(input.shape)), weight \(describe(weight.shape)), bias \(describe(bias.shape)), "
                    + "output \(describe(output.shape)), mean \(describe(mean.shape)), rstd \(describe(rstd.shape))")
        }
        return (rows, channels)
    }
}
