import Foundation

/// Where a model's matrix products go: `cblas_sgemm` in fp32; in bf16, oneDNN's matmul with both
/// inputs rounded to bfloat16 and the product accumulated and written in fp32 (PyTorch autocast's
/// recipe for CPU `mm`/`linear`).
///
/// In bf16 the engine can keep a rounded copy of a `TensorBlock` (the model's weights): an operand
/// lying inside that block is read from the copy, so weights are rounded once per optimizer step
/// (`refreshShadow`) rather than at every product. Every other operand (activations, gradients) is
/// rounded into the engine's scratch just before its product.
public final class MatrixEngine: @unchecked Sendable {
    /// The products as `BLAS.gemm` computes them.
    public static let fp32 = MatrixEngine(checkedPrecision: .fp32)

    public let precision: Precision
    /// Serialises the scratch and the shadow (one model, one caller at a time in practice).
    private let lock = NSLock()
    /// The block whose rounded copy is kept, and the copy (same offsets).
    private var shadowed: (block: TensorBlock, copy: BFloat16Allocation)?
    /// Two growable buffers for the rounded A and B operands.
    private var scratch: [BFloat16Allocation] = [BFloat16Allocation(count: 0), BFloat16Allocation(count: 0)]

    /// An engine computing in `precision`.
    /// - Throws: `TensorError.precisionUnavailable` when `cpu` cannot compute in it.
    public init(precision: Precision, cpu: CPUFeatures = .current) throws {
        try precision.requireSupport(on: cpu)
        self.precision = precision
    }

    private init(checkedPrecision: Precision) { precision = checkedPrecision }

    /// Keeps a bf16 copy of `block` for products reading its tensors (no-op in fp32). Call it once the
    /// block holds its values, and `refreshShadow` whenever they change.
    public func shadow(_ block: TensorBlock) throws {
        guard precision == .bf16 else { return }
        let copy = BFloat16Allocation(count: block.flat.count)
        try BFloat16.round(UnsafeBufferPointer(block.flat.storage), into: copy.buffer)
        lock.lock()
        shadowed = (block, copy)
        lock.unlock()
    }

    /// Re-rounds the shadowed block after its fp32 values changed (an optimizer step).
    public func refreshShadow() throws {
        lock.lock()
        defer { lock.unlock() }
        guard let shadowed else { return }
        try BFloat16.round(UnsafeBufferPointer(shadowed.block.flat.storage), into: shadowed.copy.buffer)
    }

    /// C (M,N) = alpha · op(A) · op(B) + beta · C, with `BLAS.gemm`'s operand conventions.
    public func gemm(
        _ transA: Transpose, _ transB: Transpose, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafeBufferPointer<Float>, lda: Int, b: UnsafeBufferPointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutableBufferPointer<Float>, ldc: Int
    ) throws {
        guard precision == .bf16 else {
            try BLAS.gemm(transA, transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                          beta: beta, c: c, ldc: ldc)
            return
        }
        try BLAS.checkOperands(transA, transB, m: m, n: n, k: k,
                               a: a.count, lda: lda, b: b.count, ldb: ldb, c: c.count, ldc: ldc)
        guard m > 0, n > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let (aRows, aColumns) = transA == .none ? (m, k) : (k, m)
        let (bRows, bColumns) = transB == .none ? (k, n) : (n, k)
        let (roundedA, strideA) = try rounded(a, rows: aRows, columns: aColumns, stride: lda, slot: 0)
        let (roundedB, strideB) = try rounded(b, rows: bRows, columns: bColumns, stride: ldb, slot: 1)
        try OneDNNMatmul.multiply(transA, transB, m: m, n: n, k: k, alpha: alpha, a: roundedA, lda: strideA,
                                  b: roundedB, ldb: strideB, beta: beta, c: c, ldc: ldc)
    }

    /// The bf16 form of the (rows, columns) operand at `source`: a view of the shadow when the operand
    /// lies in the shadowed block (same stride), else a packed rounding in scratch `slot`.
    private func rounded(_ source: UnsafeBufferPointer<Float>, rows: Int, columns: Int, stride: Int,
                         slot: Int) throws -> (UnsafeBufferPointer<UInt16>, Int) {
        if let shadowed, let offset = offset(of: source, in: shadowed.block) {
            let view = UnsafeBufferPointer(rebasing: shadowed.copy.buffer[offset..<(offset + source.count)])
            return (view, stride)
        }
        let (needed, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard !overflow else { throw TensorError.sizeOverflow(shape: [rows, columns]) }
        if scratch[slot].buffer.count < needed { scratch[slot] = BFloat16Allocation(count: needed) }
        let target = UnsafeMutableBufferPointer(rebasing: scratch[slot].buffer[0..<needed])
        try BFloat16.round(rows: rows, columns: columns, source: source, sourceStride: stride, into: target)
        return (UnsafeBufferPointer(target), columns)
    }

    /// The element offset of `operand` inside `block`'s storage, when it lies wholly inside it.
    private func offset(of operand: UnsafeBufferPointer<Float>, in block: TensorBlock) -> Int? {
        let storage = block.flat.storage
        guard let start = operand.baseAddress, let base = UnsafePointer(storage.baseAddress),
              start >= base, start + operand.count <= base + storage.count else { return nil }
        return start - base
    }
}
