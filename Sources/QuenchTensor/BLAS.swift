import CBLAS

/// Whether a GEMM operand is used as stored or transposed.
public enum Transpose: Sendable {
    case none
    case transposed

    var cblas: CBLAS_TRANSPOSE { self == .none ? CblasNoTrans : CblasTrans }
}

/// Row-major single-precision GEMM on `cblas_sgemm`, with every extent checked before BLAS reads memory.
///
/// The wrapper adds no copies or conversions: the pointers go straight to BLAS. OpenBLAS runs on
/// one thread; a large product is cut into blocks of C (`GEMMPartition`), one single-threaded call
/// per thread of the compute team, so the products and the element-wise kernels share one set of
/// threads. Every element of C is still computed by one call over the whole of K, in the same
/// order, so results do not change with the cut (`ParallelGEMMTests` checks this bit for bit).
public enum BLAS {
    /// C (M,N) = alpha · op(A) (M,K) · op(B) (K,N) + beta · C.
    ///
    /// `lda`, `ldb`, `ldc` are row strides in floats; A is stored (M,K) or, transposed, (K,M); B is
    /// stored (K,N) or, transposed, (N,K).
    /// - Complexity: 2·M·N·K floating-point operations.
    public static func gemm(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafeBufferPointer<Float>, lda: Int,
        b: UnsafeBufferPointer<Float>, ldb: Int,
        beta: Float = 0,
        c: UnsafeMutableBufferPointer<Float>, ldc: Int
    ) throws {
        try checkOperands(
            transA, transB, m: m, n: n, k: k,
            a: a.count, lda: lda, b: b.count, ldb: ldb, c: c.count, ldc: ldc)
        guard m > 0, n > 0 else { return }
        let product = GEMMCall(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
            a: a.baseAddress, lda: lda, b: b.baseAddress, ldb: ldb, beta: beta, c: c.baseAddress, ldc: ldc)
        product.runOnTeam()
    }

    /// `batch` GEMMs whose operands start `strideA`, `strideB`, `strideC` floats apart.
    ///
    /// A stride of 0 reuses one operand for every product (grouped-query attention shares a key head
    /// between query heads). Products run in order, so with `strideC == 0` and `beta == 1` they
    /// accumulate into one C.
    public static func gemmStridedBatched(
        _ transA: Transpose, _ transB: Transpose,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafeBufferPointer<Float>, lda: Int, strideA: Int,
        b: UnsafeBufferPointer<Float>, ldb: Int, strideB: Int,
        beta: Float = 0,
        c: UnsafeMutableBufferPointer<Float>, ldc: Int, strideC: Int,
        batch: Int
    ) throws {
        guard batch >= 0, strideA >= 0, strideB >= 0, strideC >= 0 else {
            throw TensorError.invalidArgument(
                operation: "gemmStridedBatched", detail: "batch and strides must be non-negative")
        }
        guard batch > 0 else { return }
        let last = batch - 1
        // Check the last product's extents (the furthest any product reaches) against whole buffers.
        try checkOperands(
            transA, transB, m: m, n: n, k: k,
            a: a.count - min(a.count, last * strideA), lda: lda,
            b: b.count - min(b.count, last * strideB), ldb: ldb,
            c: c.count - min(c.count, last * strideC), ldc: ldc)
        guard m > 0, n > 0 else { return }
        let first = GEMMCall(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
            a: a.baseAddress, lda: lda, b: b.baseAddress, ldb: ldb, beta: beta, c: c.baseAddress, ldc: ldc)
        func product(_ index: Int) -> GEMMCall { first.offset(a: index * strideA, b: index * strideB, c: index * strideC) }
        // Products whose C blocks do not overlap are shared out over the team, each whole and in
        // index order within a share, unless the shares would be uneven and each product can be cut
        // itself; otherwise (strideC 0 accumulates) they run one after another, each cut over the team.
        let threads = ComputeTeam.available
        let chunks = min(batch, threads)
        let disjoint = strideC >= (m - 1) * ldc + n
        let even = batch % chunks == 0 || GEMMPartition(transA, transB, m: m, n: n, k: k, threads: threads) == nil
        if disjoint, even, chunks > 1, Double(batch) * first.multiplyAdds >= GEMMPartition.minimumBatchWork {
            ComputeTeam.run(chunks) { chunk in
                for index in Parallelism.range(chunk, of: chunks, total: batch) { product(index).run() }
            }
        } else {
            for index in 0..<batch { product(index).runOnTeam() }
        }
    }

    /// Throws unless every operand's leading dimension and buffer cover the extent BLAS will touch.
    static func checkOperands(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int,
        a: Int, lda: Int, b: Int, ldb: Int, c: Int, ldc: Int
    ) throws {
        guard m >= 0, n >= 0, k >= 0 else {
            throw TensorError.invalidArgument(operation: "gemm", detail: "negative size m=\(m) n=\(n) k=\(k)")
        }
        let limit = Int(Int32.max)
        guard m <= limit, n <= limit, k <= limit, lda <= limit, ldb <= limit, ldc <= limit else {
            throw TensorError.invalidArgument(operation: "gemm", detail: "a size exceeds BLAS's 32-bit range")
        }
        let (aRows, aCols) = transA == .none ? (m, k) : (k, m)
        let (bRows, bCols) = transB == .none ? (k, n) : (n, k)
        try checkMatrix("A", rows: aRows, columns: aCols, leading: lda, available: a)
        try checkMatrix("B", rows: bRows, columns: bCols, leading: ldb, available: b)
        try checkMatrix("C", rows: m, columns: n, leading: ldc, available: c)
    }

    private static func checkMatrix(
        _ operand: String, rows: Int, columns: Int, leading: Int, available: Int
    ) throws {
        guard leading >= max(columns, 1) else {
            throw TensorError.invalidArgument(
                operation: "gemm", detail: "leading dimension of \(operand) is \(leading), below its \(columns) columns")
        }
        guard rows > 0, columns > 0 else { return }
        let (span, overflowA) = (rows - 1).multipliedReportingOverflow(by: leading)
        let (needed, overflowB) = span.addingReportingOverflow(columns)
        guard !overflowA, !overflowB, needed <= available else {
            throw TensorError.bufferTooSmall(
                operation: "gemm", operand: "\(operand) (\(rows), \(columns)) with stride \(leading)",
                needed: needed, available: available)
        }
    }
}
