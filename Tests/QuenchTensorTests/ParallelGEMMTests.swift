import CBLAS
@testable import QuenchTensor
import Testing

/// Products cut over the compute team give, bit for bit, what one `cblas_sgemm` call on the whole
/// matrix gives.
@Suite struct ParallelGEMMTests {
    /// A product's shape and scalars; A and B are stored as the transposes say.
    struct Shape: CustomTestStringConvertible, Sendable {
        let m: Int, n: Int, k: Int
        let transA: Transpose, transB: Transpose
        var alpha: Float = 1
        var beta: Float = 0
        var testDescription: String { "(\(m),\(n),\(k)) \(transA)/\(transB) α\(alpha) β\(beta)" }
    }

    /// SmolLM2-135M's products (tokens 1024, channels 576, hidden 1536, vocabulary 49152, LoRA rank 8),
    /// one-token decoding (M = 1), odd sizes with every transpose, a row-major NN product with
    /// alpha 1 and beta 0 in the size range where OpenBLAS on one thread has a "direct" kernel, and
    /// attention's scores (64 queries, head size 64) whose blocks are under OpenBLAS's small-matrix
    /// limit but outside its rule.
    static let shapes: [Shape] = [
        Shape(m: 1024, n: 576, k: 576, transA: .none, transB: .transposed),
        Shape(m: 1024, n: 1536, k: 576, transA: .none, transB: .transposed),
        Shape(m: 1024, n: 576, k: 1536, transA: .none, transB: .none, beta: 1),
        Shape(m: 576, n: 1536, k: 1024, transA: .transposed, transB: .none, beta: 1),
        Shape(m: 256, n: 49152, k: 576, transA: .none, transB: .transposed),
        Shape(m: 1, n: 49152, k: 576, transA: .none, transB: .transposed),
        Shape(m: 1, n: 4096, k: 1536, transA: .none, transB: .none),
        Shape(m: 1024, n: 8, k: 576, transA: .none, transB: .transposed, alpha: 2),
        Shape(m: 8, n: 576, k: 1024, transA: .transposed, transB: .none, alpha: 2, beta: 1),
        Shape(m: 333, n: 777, k: 129, transA: .transposed, transB: .transposed, alpha: 0.125, beta: 1),
        Shape(m: 77, n: 1111, k: 300, transA: .transposed, transB: .none, alpha: -0.5, beta: 0.75),
        Shape(m: 520, n: 64, k: 128, transA: .none, transB: .none),
        Shape(m: 1, n: 3072, k: 576, transA: .none, transB: .transposed),
        Shape(m: 64, n: 256, k: 64, transA: .none, transB: .transposed, alpha: 0.125),
        Shape(m: 64, n: 1024, k: 64, transA: .none, transB: .transposed, alpha: 0.125),
    ]

    /// Operands of `shape` with a leading dimension wider than the matrix (so strides are exercised).
    func operands(_ shape: Shape, seed: UInt64) throws -> (a: Tensor, lda: Int, b: Tensor, ldb: Int, c: Tensor, ldc: Int) {
        let (aRows, aColumns) = shape.transA == .none ? (shape.m, shape.k) : (shape.k, shape.m)
        let (bRows, bColumns) = shape.transB == .none ? (shape.k, shape.n) : (shape.n, shape.k)
        return (try randomTensor([aRows, aColumns + 3], seed: seed), aColumns + 3,
                try randomTensor([bRows, bColumns + 5], seed: seed + 1), bColumns + 5,
                try randomTensor([shape.m, shape.n + 1], seed: seed + 2), shape.n + 1)
    }

    /// C after one `cblas_sgemm` call on the whole product.
    func wholeProduct(_ shape: Shape, _ a: Tensor, _ lda: Int, _ b: Tensor, _ ldb: Int, _ c: Tensor, _ ldc: Int) throws -> [UInt32] {
        let result = try Tensor(shape: c.shape, values: c.toArray())
        cblas_sgemm(
            CblasRowMajor, shape.transA.cblas, shape.transB.cblas, Int32(shape.m), Int32(shape.n), Int32(shape.k),
            shape.alpha, a.pointer, Int32(lda), b.pointer, Int32(ldb), shape.beta, result.pointer, Int32(ldc))
        return result.toArray().map(\.bitPattern)
    }

    @Test(arguments: shapes)
    func teamProductEqualsOneCallBitForBit(_ shape: Shape) throws {
        let (a, lda, b, ldb, c, ldc) = try operands(shape, seed: 11)
        let expected = try wholeProduct(shape, a, lda, b, ldb, c, ldc)
        try BLAS.gemm(
            shape.transA, shape.transB, m: shape.m, n: shape.n, k: shape.k, alpha: shape.alpha,
            a: UnsafeBufferPointer(a.storage), lda: lda, b: UnsafeBufferPointer(b.storage), ldb: ldb,
            beta: shape.beta, c: c.storage, ldc: ldc)
        #expect(c.toArray().map(\.bitPattern) == expected, "\(shape.testDescription)")
    }

    /// Every cut the partition allows for 2, 3 and 4 threads, blocks run one by one, gives the whole product.
    @Test(arguments: shapes)
    func everyCutEqualsOneCallBitForBit(_ shape: Shape) throws {
        let (a, lda, b, ldb, c, ldc) = try operands(shape, seed: 21)
        let expected = try wholeProduct(shape, a, lda, b, ldb, c, ldc)
        var cuts = 0
        for threads in 2...4 {
            guard let partition = GEMMPartition(
                shape.transA, shape.transB, m: shape.m, n: shape.n, k: shape.k, threads: threads) else { continue }
            cuts += 1
            let result = try Tensor(shape: c.shape, values: c.toArray())
            let call = GEMMCall(
                transA: shape.transA, transB: shape.transB, m: shape.m, n: shape.n, k: shape.k, alpha: shape.alpha,
                a: UnsafePointer(a.pointer), lda: lda, b: UnsafePointer(b.pointer), ldb: ldb,
                beta: shape.beta, c: result.pointer, ldc: ldc)
            var covered = 0
            for part in 0..<partition.parts {
                let range = partition.range(part)
                #expect(range.lowerBound == covered && !range.isEmpty, "block \(part) of \(partition)")
                covered = range.upperBound
                #expect(Double(range.count) * (partition.axis == .rows ? Double(shape.n) : Double(shape.m))
                        * Double(shape.k) >= GEMMPartition.minimumPartWork)
                #expect(GEMMPartition.minimumPartWork > GEMMPartition.openBLASDirectLimit)
                call.block(range, along: partition.axis).run()
            }
            #expect(covered == partition.extent)
            #expect(result.toArray().map(\.bitPattern) == expected, "\(shape.testDescription) cut \(partition)")
        }
        // The shapes are chosen large enough to be cut, except SmolLM2's square projection at M = 1.
        #expect(cuts > 0, "\(shape.testDescription) never cut")
    }

    @Test func smallProductsStayWhole() {
        #expect(GEMMPartition(.none, .none, m: 64, n: 64, k: 64, threads: 2) == nil)
        #expect(GEMMPartition(.none, .transposed, m: 1, n: 576, k: 576, threads: 2) == nil)
        #expect(GEMMPartition(.none, .transposed, m: 1024, n: 576, k: 576, threads: 1) == nil)
        // Halves of 768 columns would be small enough for OpenBLAS's small-matrix kernel.
        #expect(GEMMPartition(.none, .transposed, m: 1, n: 1536, k: 576, threads: 2) == nil)
        #expect(GEMMPartition(.none, .transposed, m: 1, n: 3072, k: 576, threads: 2)
                == GEMMPartition(axis: .columns, extent: 3072, parts: 2))
        #expect(GEMMPartition(.none, .transposed, m: 1024, n: 576, k: 576, threads: 2)
                == GEMMPartition(axis: .rows, extent: 1024, parts: 2))
        #expect(GEMMPartition(.transposed, .none, m: 8, n: 576, k: 1024, threads: 2)
                == GEMMPartition(axis: .columns, extent: 576, parts: 2))
    }

    /// Strided batches shared out over the team equal the products run one by one, in order.
    @Test(arguments: [(T: 256, strideC: 256 * 256, beta: Float(0)), (T: 256, strideC: 0, beta: 1), (T: 96, strideC: 96 * 96, beta: 0)])
    func stridedBatchEqualsProductsInOrder(_ T: Int, _ strideC: Int, _ beta: Float) throws {
        let (heads, headSize) = (3, 64)
        let query = try randomTensor([T, heads * headSize], seed: 31)
        let key = try randomTensor([T, headSize], seed: 32)
        let c = try randomTensor([max(strideC * heads, T * T)], seed: 33)
        let expected = try Tensor(shape: c.shape, values: c.toArray())
        for head in 0..<heads {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(T), Int32(headSize), 0.125,
                query.pointer + head * headSize, Int32(heads * headSize), key.pointer, Int32(headSize),
                beta, expected.pointer + head * strideC, Int32(T))
        }
        try BLAS.gemmStridedBatched(
            .none, .transposed, m: T, n: T, k: headSize, alpha: 0.125,
            a: UnsafeBufferPointer(query.storage), lda: heads * headSize, strideA: headSize,
            b: UnsafeBufferPointer(key.storage), ldb: headSize, strideB: 0,
            beta: beta, c: c.storage, ldc: T, strideC: strideC, batch: heads)
        #expect(c.toArray().map(\.bitPattern) == expected.toArray().map(\.bitPattern))
    }

    @Test func openBLASRunsEachCallOnOneThread() throws {
        let a = try randomTensor([1024, 576], seed: 41), b = try randomTensor([576, 576], seed: 42)
        let c = try Tensor(zeros: [1024, 576])
        try MatMul.multiply(a, .none, b, .transposed, into: c)
        let runtime = BLASRuntime.current()
        try #require(runtime.vendor == .openBLAS, "\(runtime.warning ?? "")")
        #expect(BLASRuntime.limitedToCallingThread)
        #expect(runtime.threads == 1)
    }
}
