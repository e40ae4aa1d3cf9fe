import QuenchTensor

/// The adapter's share of a projection, forward and backward, on a block of columns of the
/// projection's output (q, k and v are column blocks of one fused output).
///
/// Shapes: N rows, I = in features, O = out features, r = rank; the output block has row stride ld.
///   x (N,I); xa (N,r) = x Aᵀ, saved; y[:, c0..<c0+O] += scale · xa Bᵀ
extension LoRAAdapters {
    /// y block += scale · (x Aᵀ) Bᵀ, saving x Aᵀ in `saved`.
    func forward(_ target: Target, input x: Tensor, saved xa: Tensor, output y: Tensor, columnOffset: Int) throws {
        let (a, b) = try matrices(target)
        try MatMul.multiply(x, .none, a, .transposed, into: xa)
        try BLAS.gemm(.none, .transposed, m: x.rows, n: target.outFeatures, k: rank, alpha: scale,
                      a: UnsafeBufferPointer(xa.storage), lda: rank, b: UnsafeBufferPointer(b.storage), ldb: rank,
                      beta: 1, c: UnsafeMutableBufferPointer(rebasing: y.storage[columnOffset...]), ldc: y.columns)
    }

    /// dB += scale · dyᵀ xa; dxa = scale · dy B (into `scratch`); dA += dxaᵀ x; dx += dxa A.
    func backward(_ target: Target, input x: Tensor, saved xa: Tensor, outputGrad dy: Tensor, columnOffset: Int,
                  inputGrad dx: Tensor, scratch dxa: Tensor) throws {
        let (a, b) = try matrices(target)
        let (dA, dB) = try gradientMatrices(target)
        let dyBlock = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(dy.storage)[columnOffset...])
        try BLAS.gemm(.transposed, .none, m: target.outFeatures, n: rank, k: x.rows, alpha: scale,
                      a: dyBlock, lda: dy.columns, b: UnsafeBufferPointer(xa.storage), ldb: rank,
                      beta: 1, c: dB.storage, ldc: rank)
        try BLAS.gemm(.none, .none, m: x.rows, n: rank, k: target.outFeatures, alpha: scale,
                      a: dyBlock, lda: dy.columns, b: UnsafeBufferPointer(b.storage), ldb: rank,
                      beta: 0, c: dxa.storage, ldc: rank)
        try MatMul.multiply(dxa, .transposed, x, .none, into: dA, beta: 1)
        try MatMul.multiply(dxa, .none, a, .none, into: dx, beta: 1)
    }
}
