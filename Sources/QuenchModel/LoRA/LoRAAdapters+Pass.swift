import QuenchTensor

/// The adapter's share of a projection, forward and backward, on a block of columns of the
/// projection's output (q, k and v are column blocks of one fused output).
///
/// Shapes: N rows, I = in features, O = out features, r = the target's rank; the output block has row
/// stride ld. x (N,I); x̃ = dropout(x) while training, else x; xa (N,r) = x̃ Aᵀ, saved;
///   y[:, c0..<c0+O] += s · xa Bᵀ, then with DoRA rescaled per column (`LoRAAdapters+DoRA`).
extension LoRAAdapters {
    /// y block += s · (x̃ Aᵀ) Bᵀ, saving x̃ Aᵀ in `saved`. `scratch` (N, ≥I) holds x̃ when dropping out.
    /// - Throws: `TensorError.invalidArgument` for DoRA with dropout while training, which Quench does
    ///   not implement (PEFT then adds (g − 1) ⊙ W x̃ instead of rescaling the output).
    func forward(_ target: Target, input x: Tensor, saved xa: Tensor, output y: Tensor, columnOffset: Int,
                 training: Bool, scratch: Tensor?, dora: DoRAInputs?) throws {
        let (a, b) = try matrices(target)
        if let dora {
            guard !(training && dropout > 0) else {
                throw TensorError.invalidArgument(
                    operation: "DoRA", detail: "training DoRA adapters with dropout \(dropout) is not implemented; use dropout 0")
            }
            try weightNorms(target, weight: dora.weight, into: dora.norms)
        }
        let dropped = try droppedInput(target, x, training: training, scratch: scratch)
        try MatMul.multiply(dropped, .none, a, .transposed, into: xa)
        try BLAS.gemm(.none, .transposed, m: x.rows, n: target.outFeatures, k: target.rank, alpha: scale(target),
                      a: UnsafeBufferPointer(xa.storage), lda: target.rank, b: UnsafeBufferPointer(b.storage),
                      ldb: target.rank, beta: 1, c: UnsafeMutableBufferPointer(rebasing: y.storage[columnOffset...]),
                      ldc: y.columns)
        if let dora { try rescale(target, output: y, columnOffset: columnOffset, dora) }
    }

    /// dB += s · dyᵀ xa; dxa = s · dy B; dA += dxaᵀ x̃; dx += dropout′(dxa A). With DoRA, dy is first
    /// replaced by g ⊙ dy in `doraScratch` (N, ≥O), after the magnitude's gradient and the base weight's
    /// share of dx are added.
    func backward(_ target: Target, input x: Tensor, saved xa: Tensor, outputGrad dy: Tensor, columnOffset: Int,
                  inputGrad dx: Tensor, scratch dxa: Tensor, dropoutScratch: Tensor?, dora: DoRAInputs?,
                  doraScratch: Tensor?) throws {
        let (a, b) = try matrices(target)
        let (dA, dB) = try gradientMatrices(target)
        let rank = target.rank, s = scale(target)
        let dxaView = try Tensor(borrowing: UnsafeMutableBufferPointer(rebasing: dxa.storage[0..<(x.rows * rank)]),
                                 shape: [x.rows, rank])
        var dyBlock = UnsafeBufferPointer(rebasing: UnsafeBufferPointer(dy.storage)[columnOffset...])
        var ld = dy.columns
        if let dora {
            guard let doraScratch else {
                throw TensorError.invalidArgument(operation: "DoRA", detail: "the workspace has no DoRA scratch")
            }
            let scaled = try Tensor(borrowing: UnsafeMutableBufferPointer(
                rebasing: doraScratch.storage[0..<(x.rows * target.outFeatures)]), shape: [x.rows, target.outFeatures])
            try doraBackward(target, input: x, saved: xa, outputGrad: dy, columnOffset: columnOffset, inputGrad: dx,
                             scaled: scaled, dora)
            (dyBlock, ld) = (UnsafeBufferPointer(scaled.storage), target.outFeatures)
        }
        try BLAS.gemm(.transposed, .none, m: target.outFeatures, n: rank, k: x.rows, alpha: s,
                      a: dyBlock, lda: ld, b: UnsafeBufferPointer(xa.storage), ldb: rank,
                      beta: 1, c: dB.storage, ldc: rank)
        try BLAS.gemm(.none, .none, m: x.rows, n: rank, k: target.outFeatures, alpha: s,
                      a: dyBlock, lda: ld, b: UnsafeBufferPointer(b.storage), ldb: rank,
                      beta: 0, c: dxaView.storage, ldc: rank)
        guard dropout > 0, let dropoutScratch else {
            try MatMul.multiply(dxaView, .transposed, x, .none, into: dA, beta: 1)
            try MatMul.multiply(dxaView, .none, a, .none, into: dx, beta: 1)
            return
        }
        // Regenerate x̃ for dA, then send dxa A back through the same mask into dx.
        let dropped = try droppedInput(target, x, training: true, scratch: dropoutScratch)
        try MatMul.multiply(dxaView, .transposed, dropped, .none, into: dA, beta: 1)
        let gradient = dropped  // x̃ is no longer needed: reuse its storage for dxa A
        try MatMul.multiply(dxaView, .none, a, .none, into: gradient)
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
