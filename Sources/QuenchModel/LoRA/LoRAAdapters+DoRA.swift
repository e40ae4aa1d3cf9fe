import QuenchTensor

/// DoRA (weight-decomposed LoRA) as PEFT 0.21's `DoraLinearLayer` computes it, for a projection with
/// weight W (O,I), bias b, adapter A (r,I), B (O,r), scale s and magnitude m (O):
///   n = ‖W + s B A‖ per output row, a constant of the pass (PEFT detaches it: no gradient flows through n);
///   g = m / n;  y = g ⊙ (x Wᵀ + s (x Aᵀ) Bᵀ) + b  (the bias is not rescaled);  merged: W' = g ⊙ (W + s B A).
/// Backward, with z = x Wᵀ + s (x Aᵀ) Bᵀ (recomputed, not saved):
///   dm += Σ_rows dy ⊙ z / n;  the LoRA backward runs on g ⊙ dy;  dx += ((g − 1) ⊙ dy) W, since the base
///   projection's backward has already added dy W.
extension LoRAAdapters {
    /// What DoRA needs of the adapted projection besides its input: the frozen weight W (O,I), its
    /// bias (O) if any, the workspace's buffer for the row norms n (O) of this pass, and the engine the
    /// model's projections run on (so the backward's x Wᵀ is the forward's).
    struct DoRAInputs {
        let weight: Tensor
        let bias: Tensor?
        let norms: Tensor
        let engine: MatrixEngine
    }

    /// norms (O) = ‖W_o + s B_o A‖ for every output row o, as PEFT's `get_weight_norm` computes them:
    /// W + s (B A) by GEMM, a block of rows at a time into a scratch of at most `normBlockFloats` floats
    /// (a pass never copies the whole weight), then each row's norm accumulated in double precision.
    func weightNorms(_ target: Target, weight: Tensor, into norms: Tensor) throws {
        let (a, b) = try matrices(target)
        guard weight.shape == [target.outFeatures, target.inFeatures], norms.count >= target.outFeatures else {
            throw TensorError.shapeMismatch(operation: "DoRA", detail: "the weight of \(target.parameter) is \(weight.shape)")
        }
        let width = target.inFeatures, rank = target.rank
        let blockRows = min(target.outFeatures, max(1, Self.normBlockFloats / width))
        let block = try Tensor(zeros: [blockRows, width])
        for first in stride(from: 0, to: target.outFeatures, by: blockRows) {
            let rows = min(blockRows, target.outFeatures - first)
            let adapted = UnsafeMutableBufferPointer(rebasing: block.storage[0..<(rows * width)])
            _ = adapted.update(fromContentsOf: weight.storage[(first * width)..<((first + rows) * width)])
            try BLAS.gemm(.none, .none, m: rows, n: width, k: rank, alpha: scale(target),
                          a: UnsafeBufferPointer(rebasing: UnsafeBufferPointer(b.storage)[(first * rank)...]), lda: rank,
                          b: UnsafeBufferPointer(a.storage), ldb: width, beta: 1, c: adapted, ldc: width)
            rowNorms(adapted, rows: rows, width: width, into: norms.pointer + first)
        }
    }

    /// The most floats `weightNorms` holds at once for W + s B A.
    static let normBlockFloats = 1 << 16

    /// out[o] = ‖row o of `matrix` (rows, width)‖, summed in double precision.
    private func rowNorms(_ matrix: UnsafeMutableBufferPointer<Float>, rows: Int, width: Int,
                          into out: UnsafeMutablePointer<Float>) {
        let v = UnsafeBufferPointer(matrix)
        Parallelism.cores.forEachRange(rows, grain: 8) { range in
            for o in range {
                var sum = 0.0
                for i in 0..<width { sum += Double(v[o * width + i]) * Double(v[o * width + i]) }
                out[o] = Float(sum.squareRoot())
            }
        }
    }

    /// y block (N,O) = g ⊙ (y block − b) + b, where the block already holds x Wᵀ + b + s (x Aᵀ) Bᵀ.
    func rescale(_ target: Target, output y: Tensor, columnOffset: Int, _ dora: DoRAInputs) throws {
        let (m, _) = try magnitude(target)
        let factors = try DoRAFactors(m: m, norms: dora.norms, count: target.outFeatures)
        let (ld, width) = (y.columns, target.outFeatures)
        let out = y.pointer + columnOffset, bias = dora.bias?.pointer, g = factors.g
        Parallelism.cores.forEachRange(y.rows, grain: 16) { rows in
            for i in rows {
                for o in 0..<width {
                    let shift = bias?[o] ?? 0
                    out[i * ld + o] = g[o] * (out[i * ld + o] - shift) + shift
                }
            }
        }
    }

    /// The DoRA part of the backward pass. Writes g ⊙ dy into `scaled` (N,O), which the LoRA backward
    /// then uses as its output gradient, after adding Σ dy ⊙ z / n to dm and ((g − 1) ⊙ dy) W to dx.
    func doraBackward(_ target: Target, input x: Tensor, saved xa: Tensor, outputGrad dy: Tensor, columnOffset: Int,
                      inputGrad dx: Tensor, scaled: Tensor, _ dora: DoRAInputs) throws {
        let (m, dm) = try magnitude(target)
        let b = try matrices(target).b
        let factors = try DoRAFactors(m: m, norms: dora.norms, count: target.outFeatures)
        let (rows, width, ld) = (x.rows, target.outFeatures, dy.columns)
        // z = x Wᵀ + s (x Aᵀ) Bᵀ
        try MatMul.multiply(x, .none, dora.weight, .transposed, into: scaled, engine: dora.engine)
        try MatMul.multiply(xa, .none, b, .transposed, into: scaled, alpha: scale(target), beta: 1)
        let z = scaled.pointer, gradient = dy.pointer + columnOffset, dmOut = dm.pointer
        let norms = dora.norms.pointer, g = factors.g
        Parallelism.cores.forEachRange(width, grain: 8) { columns in
            for o in columns {
                var sum: Float = 0
                for i in 0..<rows { sum += gradient[i * ld + o] * z[i * width + o] }
                dmOut[o] += sum / norms[o]
            }
        }
        // dx += ((g − 1) ⊙ dy) W, built in `scaled`, which then becomes g ⊙ dy.
        Parallelism.cores.forEachRange(rows, grain: 16) { range in
            for i in range { for o in 0..<width { z[i * width + o] = (g[o] - 1) * gradient[i * ld + o] } }
        }
        try MatMul.multiply(scaled, .none, dora.weight, .none, into: dx, beta: 1, engine: dora.engine)
        Parallelism.cores.forEachRange(rows, grain: 16) { range in
            for i in range { for o in 0..<width { z[i * width + o] = g[o] * gradient[i * ld + o] } }
        }
    }

    /// Folds a DoRA target into W: W = g ⊙ (W + s B A), n being the row norms of W + s B A as PEFT takes them.
    func mergeDoRA(_ target: Target, into weight: Tensor) throws {
        let (a, b) = try matrices(target)
        try MatMul.multiply(b, .none, a, .none, into: weight, alpha: scale(target), beta: 1)
        let norms = try Tensor(zeros: [target.outFeatures])
        rowNorms(weight.storage, rows: target.outFeatures, width: target.inFeatures, into: norms.pointer)
        let g = try DoRAFactors(m: magnitude(target).m, norms: norms, count: target.outFeatures).g
        let w = weight.pointer, width = target.inFeatures
        for o in 0..<target.outFeatures {
            for i in 0..<width { w[o * width + i] *= g[o] }
        }
    }

    /// Sets each magnitude to the row norms of W + s B A: the base weight's, since B starts at zero
    /// (PEFT's `DoraLinearLayer.update_layer`).
    func initialiseMagnitudes(model: CausalLM) throws {
        for target in targets {
            try weightNorms(target, weight: model.parameter(target.parameter), into: magnitude(target).m)
        }
    }
}

/// g = m / n of one DoRA target.
private struct DoRAFactors {
    let g: [Float]

    init(m: Tensor, norms: Tensor, count: Int) throws {
        guard m.count == count, norms.count >= count else {
            throw TensorError.shapeMismatch(operation: "DoRA", detail: "magnitude of \(m.count) for \(count) rows")
        }
        g = (0..<count).map { m.storage[$0] / norms.storage[$0] }
    }
}
