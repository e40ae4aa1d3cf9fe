/// Matrix products on tensors, each one `MatrixEngine.gemm` call (`cblas_sgemm` in fp32, oneDNN with
/// bf16 inputs in bf16).
///
/// Shapes: a tensor of shape (..., X) is seen as the matrix (rows, X), rows = product of the leading
/// dimensions. N rows of input, C input channels, OC output channels.
public enum MatMul {
    /// c (M,N) = alpha · op(a) · op(b) + beta · c, where a and b are seen as matrices.
    public static func multiply(
        _ a: Tensor, _ transA: Transpose = .none,
        _ b: Tensor, _ transB: Transpose = .none,
        into c: Tensor, alpha: Float = 1, beta: Float = 0, engine: MatrixEngine = .fp32
    ) throws {
        let (m, kA) = transA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kB, n) = transB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
        guard kA == kB, c.rows == m, c.columns == n else {
            throw TensorError.shapeMismatch(
                operation: "matmul",
                detail: "op(a) \(describe([m, kA])) × op(b) \(describe([kB, n])) into \(describe(c.shape))")
        }
        try engine.gemm(
            transA, transB, m: m, n: n, k: kA, alpha: alpha,
            a: UnsafeBufferPointer(a.storage), lda: a.columns,
            b: UnsafeBufferPointer(b.storage), ldb: b.columns,
            beta: beta, c: c.storage, ldc: c.columns)
    }
}

/// A fully connected layer, y = x Wᵀ + b, with W stored (OC, C) as `nn.Linear` stores it.
public enum Linear {
    /// output (N,OC) = input (N,C) · weightᵀ (C,OC) + bias (OC).
    public static func forward(input: Tensor, weight: Tensor, bias: Tensor?, output: Tensor,
                               engine: MatrixEngine = .fp32) throws {
        let outChannels = weight.shape.first ?? 0
        guard weight.shape.count == 2, input.columns == weight.columns, output.columns == outChannels,
              output.rows == input.rows, bias.map({ $0.count == outChannels }) ?? true
        else {
            throw TensorError.shapeMismatch(
                operation: "Linear.forward",
                detail: "input \(describe(input.shape)), weight \(describe(weight.shape)), "
                    + "bias \(bias.map { describe($0.shape) } ?? "none"), output \(describe(output.shape))")
        }
        if let bias {
            // Broadcast the bias into the output, then accumulate the product on top (beta = 1).
            let rows = output.rows
            let out = output.pointer, b = bias.pointer
            Parallelism.cores.forEachRange(rows, grain: 16) { range in
                for row in range { (out + row * outChannels).update(from: b, count: outChannels) }
            }
        }
        try MatMul.multiply(input, .none, weight, .transposed, into: output, beta: bias == nil ? 0 : 1, engine: engine)
    }

    /// inputGrad (N,C) += outputGrad (N,OC) · weight (OC,C); weightGrad (OC,C) += outputGradᵀ · input;
    /// biasGrad (OC) += Σ_rows outputGrad. Pass nil for a gradient that is not needed (frozen weights
    /// skip their GEMM entirely).
    public static func backward(
        outputGrad: Tensor, input: Tensor, weight: Tensor,
        inputGrad: Tensor?, weightGrad: Tensor?, biasGrad: Tensor?, engine: MatrixEngine = .fp32
    ) throws {
        let outChannels = weight.shape.first ?? 0
        guard weight.shape.count == 2, outputGrad.columns == outChannels, outputGrad.rows == input.rows,
              input.columns == weight.columns,
              inputGrad.map({ $0.count == input.count }) ?? true,
              weightGrad.map({ $0.count == weight.count }) ?? true,
              biasGrad.map({ $0.count == outChannels }) ?? true
        else {
            throw TensorError.shapeMismatch(
                operation: "Linear.backward",
                detail: "outputGrad \(describe(outputGrad.shape)), input \(describe(input.shape)), "
                    + "weight \(describe(weight.shape))")
        }
        if let inputGrad {
            try MatMul.multiply(outputGrad, .none, weight, .none, into: inputGrad.reshaped(input.shape), beta: 1,
                                engine: engine)
        }
        if let weightGrad {
            try MatMul.multiply(outputGrad, .transposed, input, .none, into: weightGrad.reshaped(weight.shape), beta: 1,
                                engine: engine)
        }
        if let biasGrad {
            ColumnSum.accumulate(outputGrad, into: biasGrad)
        }
    }
}

/// Sums the rows of a matrix into a vector, split over the columns so workers never share a float.
enum ColumnSum {
    /// sums (X) += Σ_rows matrix (rows, X).
    static func accumulate(_ matrix: Tensor, into sums: Tensor, parallelism: Parallelism = .cores) {
        let rows = matrix.rows, columns = matrix.columns
        let m = matrix.pointer, s = sums.pointer
        parallelism.forEachRange(columns, grain: 64) { range in
            for row in 0..<rows {
                let line = m + row * columns
                for column in range { s[column] += line[column] }
            }
        }
    }
}
