import QuenchTensor
import Testing

/// bf16 products on oneDNN: exact products of bf16-rounded inputs summed in fp32, so they must agree
/// with a double-precision product of the rounded inputs to fp32 summation error.
@Suite(.enabled(if: CPUFeatures.current.hasBF16Arithmetic, "this CPU has no bf16 arithmetic"))
struct BF16MatrixEngineTests {
    /// op(A)·op(B) in Double over the bf16 roundings of A and B, with alpha and beta applied to `c`.
    func roundedReference(_ a: [Float], lda: Int, _ b: [Float], ldb: Int, m: Int, n: Int, k: Int,
                          _ ta: Transpose, _ tb: Transpose, alpha: Float, beta: Float, c: [Float], ldc: Int) -> [Float] {
        func r(_ x: Float) -> Double { Double(BFloat16.widening(BFloat16.rounding(x))) }
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    s += r(ta == .none ? a[i * lda + p] : a[p * lda + i]) * r(tb == .none ? b[p * ldb + j] : b[j * ldb + p])
                }
                out[i * ldc + j] = Float(Double(alpha) * s + Double(beta) * Double(c[i * ldc + j]))
            }
        }
        return out
    }

    @Test(arguments: [(Transpose.none, Transpose.none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)])
    func productsMatchTheRoundedReference(_ transA: Transpose, _ transB: Transpose) throws {
        let engine = try MatrixEngine(precision: .bf16)
        let (m, n, k) = (37, 29, 300)
        // Padded leading dimensions exercise the strides; alpha and beta the output scale and sum.
        let (aRows, aColumns) = transA == .none ? (m, k) : (k, m)
        let (bRows, bColumns) = transB == .none ? (k, n) : (n, k)
        let (lda, ldb, ldc) = (aColumns + 3, bColumns + 5, n + 2)
        let a = try randomTensor([aRows * lda], seed: 11).toArray()
        let b = try randomTensor([bRows * ldb], seed: 12).toArray()
        let initial = try randomTensor([m * ldc], seed: 13).toArray()
        var c = initial
        try a.withUnsafeBufferPointer { a in
            try b.withUnsafeBufferPointer { b in
                try c.withUnsafeMutableBufferPointer { c in
                    try engine.gemm(transA, transB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b, ldb: ldb,
                                    beta: 2, c: c, ldc: ldc)
                }
            }
        }
        let expected = roundedReference(a, lda: lda, b, ldb: ldb, m: m, n: n, k: k, transA, transB,
                                        alpha: 0.5, beta: 2, c: initial, ldc: ldc)
        expectClose(c, expected, tolerance: 1e-4, "bf16 gemm \(transA) \(transB)")
        // The padding columns of C are never written.
        for row in 0..<m { #expect(c[row * ldc + n] == initial[row * ldc + n]) }
    }

    @Test func bf16DiffersFromFP32ByInputRounding() throws {
        // The check above could pass with an fp32 product too; this one could not.
        let a = try randomTensor([64, 256], seed: 21), b = try randomTensor([48, 256], seed: 22)
        let single = try Tensor(zeros: [64, 48]), mixed = try Tensor(zeros: [64, 48])
        try MatMul.multiply(a, .none, b, .transposed, into: single)
        try MatMul.multiply(a, .none, b, .transposed, into: mixed, engine: MatrixEngine(precision: .bf16))
        let gap = zip(single.toArray(), mixed.toArray()).map { abs($0 - $1) }.max() ?? 0
        #expect(gap > 1e-3, "bf16 inputs must move the product by about 2^-8 relative")
        #expect(gap < 0.5)
    }

    @Test func shadowedWeightsAreReadFromTheirCopyUntilRefreshed() throws {
        let block = try TensorBlock(layout: [("w", [24, 40])], alignment: 1)
        let weight = try block.tensor("w")
        let random = try randomTensor([24, 40], seed: 31)
        weight.storage.update(fromContentsOf: random.storage)
        let input = try randomTensor([8, 40], seed: 32)
        let engine = try MatrixEngine(precision: .bf16)
        try engine.shadow(block)
        let shadowed = try Tensor(zeros: [8, 24]), direct = try Tensor(zeros: [8, 24])
        try MatMul.multiply(input, .none, weight, .transposed, into: shadowed, engine: engine)
        let copy = try Tensor(shape: [24, 40], values: weight.toArray())  // outside the block: rounded per call
        try MatMul.multiply(input, .none, copy, .transposed, into: direct, engine: engine)
        #expect(shadowed.toArray() == direct.toArray())
        // Change the masters: the copy is stale until refreshed, then follows.
        weight.storage.update(repeating: 1)
        try MatMul.multiply(input, .none, weight, .transposed, into: shadowed, engine: engine)
        #expect(shadowed.toArray() == direct.toArray())
        try engine.refreshShadow()
        try MatMul.multiply(input, .none, weight, .transposed, into: shadowed, engine: engine)
        let rowSums = (0..<8).map { row in
            (0..<40).reduce(Float(0)) { $0 + BFloat16.widening(BFloat16.rounding(input.storage[row * 40 + $1])) }
        }
        expectClose(shadowed.toArray(), rowSums.flatMap { Array(repeating: $0, count: 24) }, tolerance: 1e-4, "refreshed")
    }
}
