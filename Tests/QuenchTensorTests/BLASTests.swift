import QuenchTensor
import Testing

@Suite struct BLASTests {
    /// Naive row-major reference for op(A)·op(B).
    func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, _ ta: Transpose, _ tb: Transpose) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Double = 0
                for p in 0..<k {
                    let av = ta == .none ? a[i * k + p] : a[p * m + i]
                    let bv = tb == .none ? b[p * n + j] : b[j * k + p]
                    s += Double(av) * Double(bv)
                }
                c[i * n + j] = Float(s)
            }
        }
        return c
    }

    @Test(arguments: [(Transpose.none, Transpose.none), (.none, .transposed), (.transposed, .none), (.transposed, .transposed)])
    func gemmMatchesNaiveProduct(_ transA: Transpose, _ transB: Transpose) throws {
        let (m, n, k) = (5, 7, 3)
        let a = try randomTensor(transA == .none ? [m, k] : [k, m], seed: 1)
        let b = try randomTensor(transB == .none ? [k, n] : [n, k], seed: 2)
        let c = try Tensor(zeros: [m, n])
        try MatMul.multiply(a, transA, b, transB, into: c)
        expectClose(c.toArray(), reference(a.toArray(), b.toArray(), m: m, n: n, k: k, transA, transB),
                    tolerance: 1e-5, "gemm \(transA) \(transB)")
    }

    @Test func stridedBatchedWithSharedOperandAccumulates() throws {
        // Three products A_i (2,3) · B (3,2) accumulated into one C with strideC = 0.
        let a = try randomTensor([3, 2, 3], seed: 3)
        let b = try randomTensor([3, 2], seed: 4)
        let c = try Tensor(zeros: [2, 2])
        try BLAS.gemmStridedBatched(
            .none, .none, m: 2, n: 2, k: 3,
            a: UnsafeBufferPointer(a.storage), lda: 3, strideA: 6,
            b: UnsafeBufferPointer(b.storage), ldb: 2, strideB: 0,
            beta: 1, c: c.storage, ldc: 2, strideC: 0, batch: 3)
        var expected = [Float](repeating: 0, count: 4)
        for i in 0..<3 {
            let part = reference(Array(a.toArray()[(i * 6)..<(i * 6 + 6)]), b.toArray(), m: 2, n: 2, k: 3, .none, .none)
            for j in 0..<4 { expected[j] += part[j] }
        }
        expectClose(c.toArray(), expected, tolerance: 1e-5, "strided batched")
    }

    @Test func shapeMismatchNamesTheShapes() throws {
        let a = try Tensor(zeros: [4, 3]), b = try Tensor(zeros: [5, 2]), c = try Tensor(zeros: [4, 2])
        #expect(throws: TensorError.shapeMismatch(operation: "matmul", detail: "op(a) (4, 3) × op(b) (5, 2) into (4, 2)")) {
            try MatMul.multiply(a, .none, b, .none, into: c)
        }
    }

    @Test func undersizedBufferIsRefusedBeforeBLASRuns() throws {
        let a = try Tensor(zeros: [4, 3]), b = try Tensor(zeros: [3, 2]), c = try Tensor(zeros: [3, 2])
        #expect(throws: TensorError.self) {
            try BLAS.gemm(.none, .none, m: 4, n: 2, k: 3, a: UnsafeBufferPointer(a.storage), lda: 3,
                          b: UnsafeBufferPointer(b.storage), ldb: 2, c: c.storage, ldc: 2)
        }
        #expect(throws: TensorError.self) {
            try BLAS.gemm(.none, .none, m: 4, n: 2, k: 3, a: UnsafeBufferPointer(a.storage), lda: 2,
                          b: UnsafeBufferPointer(b.storage), ldb: 2, c: c.storage, ldc: 2)
        }
    }

    @Test func runtimeNamesTheLoadedLibrary() {
        let runtime = BLASRuntime.current()
        #expect(runtime.libraryPath.contains("blas"), "resolved \(runtime.libraryPath)")
        #expect((runtime.vendor == .openBLAS) == (runtime.warning == nil))
        // `make setup` installs OpenBLAS; a reference BLAS here means the set-up is broken.
        #expect(runtime.vendor == .openBLAS, "\(runtime.warning ?? "")")
    }
}
