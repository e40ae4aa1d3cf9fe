import CBLAS

/// How one product's C is cut over the compute team: contiguous blocks of whole rows, or of whole
/// columns when C has too few rows. The cut depends only on the shape and the team's size, so it
/// is the same on every run.
struct GEMMPartition: Equatable {
    enum Axis: Equatable { case rows, columns }

    let axis: Axis
    /// Rows (M) or columns (N) of C being cut.
    let extent: Int
    let parts: Int

    /// Multiply-adds every block must hold (about 8 µs of compute, or 1.6 MB of B streamed in a
    /// one-row product): below it the team's hand-off costs more than it saves. It is above
    /// `openBLASDirectLimit`, so blocks are always issued column-major.
    static let minimumPartWork: Double = 400_000
    /// Block edges fall on multiples of 16 floats (one AVX-512 register).
    static let alignment = 16
    /// Multiply-adds a strided batch must hold before its products are shared out over the team.
    static let minimumBatchWork: Double = 262_144
    /// Largest product OpenBLAS may answer with its "direct" kernel (row-major, no transposes,
    /// alpha 1, beta 0; a kernel summing all of K at once) while it may run threads; on one
    /// thread it would use it up to 7.3M multiply-adds, and results of those products would change.
    static let openBLASDirectLimit: Double = 358_400

    /// The cut for a (M,N,K) product on `threads` threads; nil when one call is best.
    ///
    /// A product is only cut when neither it nor any block may take OpenBLAS's small-matrix kernel,
    /// so every element is summed by the same blocked kernel, in the same order, as in one call.
    init?(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, threads: Int) {
        guard threads > 1, m > 0, n > 0, k > 0,
              !Self.mayUseSmallKernel(transA, transB, m: m, n: n, k: k) else { return nil }
        let axis: Axis = m >= 4 * Self.alignment * threads || m >= n ? .rows : .columns
        let extent = axis == .rows ? m : n
        let workPerLine = Double(axis == .rows ? n : m) * Double(k)
        let byWork = (Double(extent) * workPerLine / Self.minimumPartWork).rounded(.down)
        var parts = min(threads, extent / (2 * Self.alignment), Int(min(byWork, Double(threads))))
        while parts > 1 {
            let candidate = GEMMPartition(axis: axis, extent: extent, parts: parts)
            let fits = (0..<parts).allSatisfy { part in
                let lines = candidate.range(part).count
                let (blockM, blockN) = axis == .rows ? (lines, n) : (m, lines)
                return Double(lines) * workPerLine >= Self.minimumPartWork
                    && !Self.mayUseSmallKernel(transA, transB, m: blockM, n: blockN, k: k)
            }
            if fits { break }
            parts -= 1
        }
        guard parts > 1 else { return nil }
        self.init(axis: axis, extent: extent, parts: parts)
    }

    /// Whether OpenBLAS may answer this row-major product with its small-matrix kernel (another
    /// summation order than its blocked one). Its rule on AVX-512 targets (0.3.x): at most
    /// 1,000,000 multiply-adds, and for x·Wᵀ products (column-major TN) a C of at most 1,200
    /// elements. Other targets never use it; the answer errs towards "may".
    static func mayUseSmallKernel(_ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int) -> Bool {
        guard Double(m) * Double(n) * Double(k) <= 1_000_000 else { return false }
        return !(transA == .none && transB == .transposed && Double(m) * Double(n) > 1200)
    }

    init(axis: Axis, extent: Int, parts: Int) {
        self.axis = axis
        self.extent = extent
        self.parts = parts
    }

    /// Rows or columns of C that block `part` covers.
    func range(_ part: Int) -> Range<Int> { boundary(part)..<boundary(part + 1) }

    private func boundary(_ part: Int) -> Int {
        part >= parts ? extent : extent * part / parts / Self.alignment * Self.alignment
    }
}

/// One `cblas_sgemm` product, operands row-major as `BLAS.gemm` takes them and already checked.
struct GEMMCall {
    let transA: Transpose, transB: Transpose
    let m: Int, n: Int, k: Int
    let alpha: Float
    let a: UnsafePointer<Float>?, lda: Int
    let b: UnsafePointer<Float>?, ldb: Int
    let beta: Float
    let c: UnsafeMutablePointer<Float>?, ldc: Int

    var multiplyAdds: Double { Double(m) * Double(n) * Double(k) }

    /// The same product on operands starting `a`, `b`, `c` floats further (a strided batch's i-th).
    func offset(a da: Int, b db: Int, c dc: Int) -> GEMMCall {
        GEMMCall(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a.map { $0 + da }, lda: lda, b: b.map { $0 + db }, ldb: ldb,
                beta: beta, c: c.map { $0 + dc }, ldc: ldc)
    }

    /// The product cut over the calling thread's compute team, or in one call when it is too small.
    func runOnTeam() {
        guard let partition = GEMMPartition(transA, transB, m: m, n: n, k: k, threads: ComputeTeam.available) else {
            return run()
        }
        ComputeTeam.run(partition.parts) { part in block(partition.range(part), along: partition.axis).run() }
    }

    /// The part of the product that writes rows (or columns) `range` of C.
    func block(_ range: Range<Int>, along axis: GEMMPartition.Axis) -> GEMMCall {
        let first = range.lowerBound
        switch axis {
        case .rows:
            // Rows of op(A): A stored (M,K) starts row `first` at first·lda; stored (K,M), at column `first`.
            return GEMMCall(transA: transA, transB: transB, m: range.count, n: n, k: k, alpha: alpha,
                           a: a.map { $0 + (transA == .none ? first * lda : first) }, lda: lda, b: b, ldb: ldb,
                           beta: beta, c: c.map { $0 + first * ldc }, ldc: ldc)
        case .columns:
            // Columns of op(B): B stored (K,N) starts column `first` at first; stored (N,K), at row `first`.
            return GEMMCall(transA: transA, transB: transB, m: m, n: range.count, k: k, alpha: alpha,
                           a: a, lda: lda, b: b.map { $0 + (transB == .none ? first : first * ldb) }, ldb: ldb,
                           beta: beta, c: c.map { $0 + first }, ldc: ldc)
        }
    }

    /// The whole product in one call on the calling thread.
    ///
    /// Above `openBLASDirectLimit` it is issued as the column-major product Cᵀ = op(B)ᵀ·op(A)ᵀ,
    /// which is exactly what OpenBLAS turns a row-major call into, minus the check for its direct
    /// kernel: so every product takes the path it took when OpenBLAS ran its own threads.
    func run() {
        _ = BLASRuntime.limitedToCallingThread
        if multiplyAdds <= GEMMPartition.openBLASDirectLimit {
            cblas_sgemm(
                CblasRowMajor, transA.cblas, transB.cblas, Int32(m), Int32(n), Int32(k), alpha,
                a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
        } else {
            cblas_sgemm(
                CblasColMajor, transB.cblas, transA.cblas, Int32(n), Int32(m), Int32(k), alpha,
                b, Int32(ldb), a, Int32(lda), beta, c, Int32(ldc))
        }
    }
}
