import QuenchTensor

/// The adapter's share of a projection, forward and backward, on a block of columns of the
/// projection's output (q, k and v are column blocks of one fused output).
///
/// Shapes: N rows, I = in features, O = out features, r = rank; the output block has row stride ld.
///   x (N,I); x̃ = dropout(x) while training, else x; xa (N,r) = x̃ Aᵀ, saved;
///   y[:, c0..<c0+O] += scale · xa Bᵀ
extension LoRAAdapters {
    /// y block += scale · (x̃ Aᵀ) Bᵀ, saving x̃ Aᵀ in `saved`. `scratch` (N, ≥I) holds x̃ when dropping out.
    func forward(_ target: Target, input x: Tensor, saved xa: Tensor, output y: Tensor, columnOffset: Int,
                 training: Bool, scratch: Tensor?) throws {
        let (a, b) = try matrices(target)
        let dropped = try droppedInput(target, x, training: training, scratch: scratch)
        try MatMul.multiply(dropped, .none, a, .transposed, into: xa)
        try BLAS.gemm(.none, .transposed, m: x.rows, n: target.outFeatures, k: rank, alpha: scale,
                      a: UnsafeBufferPointer(xa.storage), lda: rank, b: UnsafeBufferPointer(b.storage), ldb: rank,
                      beta: 1, c: UnsafeMutableBufferPointer(rebasing: y.storage[columnOffset...]), ldc: y.columns)
    }

    /// dB += scale · dyᵀ xa; dxa = scale · dy B; dA += dxaᵀ x̃; dx += dropout′(dxa A).
    func backward(_ target: Target, input x: Tensor, saved xa: Tensor, outputGrad dy: Tensor, columnOffset: Int,
                  inputGrad dx: Tensor, scratch dxa: Tensor, dropoutScratch: Tensor?) throws {
        let (a, b) = try matrices(target)
        let (dA, dB) = try gradientMatrices(target)
        let dyBlock = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(dy.storage)[columnOffset...])
        try BLAS.gemm(.transposed, .none, m: target.outFeatures, n: rank, k: x.rows, alpha: scale,
                      a: dyBlock, lda: dy.columns, b: UnsafeBufferPointer(xa.storage), ldb: rank,
                      beta: 1, c: dB.storage, ldc: rank)
        try BLAS.gemm(.none, .none, m: x.rows, n: rank, k: target.outFeatures, alpha: scale,
                      a: dyBlock, lda: dy.columns, b: UnsafeBufferPointer(b.storage), ldb: rank,
                      beta: 0, c: dxa.storage, ldc: rank)
        guard dropout > 0, let dropoutScratch else {
            try MatMul.multiply(dxa, .transposed, x, .none, into: dA, beta: 1)
            try MatMul.multiply(dxa, .none, a, .none, into: dx, beta: 1)
            return
        }
        // Regenerate x̃ for dA, then send dxa A back through the same mask into dx.
        let dropped = try droppedInput(target, x, training: true, scratch: dropoutScratch)
        try MatMul.multiply(dxa, .transposed, dropped, .none, into: dA, beta: 1)
        let gradient = dropped  // x̃ is no longer needed: reuse its storage for dxa A
        try MatMul.multiply(dxa, .none, a, .none, into: gradient)
        LoRADropout(probability: dropout, seed: seed, stream: dropoutStream)
            .apply(gradient, into: gradient, target: index(of: target))
        try Elementwise.accumulate(gradient, into: dx)
    }

    /// x, or dropout(x) written into `scratch` while training with dropout.
    private func droppedInput(_ target: Target, _ x: Tensor, training: Bool, scratch: Tensor?) throws -> Tensor {
        guard training, dropout > 0, let scratch else { return x }
        let view = try Tensor(borrowing: UnsafeMutableBufferPointer(rebasing: scratch.storage[0..<x.count]), shape: x.shape)
        LoRADropout(probability: dropout, seed: seed, stream: dropoutStream).apply(x, into: view, target: index(of: target))
        return view
    }
}
