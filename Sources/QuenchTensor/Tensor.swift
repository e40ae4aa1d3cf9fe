/// A float32 tensor: a shape and a view of storage that it either owns or borrows.
///
/// Copying a `Tensor` copies the view, not the floats: kernels write through it. A tensor made with
/// `init(zeros:)` owns its storage (freed when the last copy goes); one carved from a `TensorBlock`
/// keeps the block alive; one made with `init(borrowing:shape:)` borrows memory the caller manages.
public struct Tensor {
    /// Dimensions, outermost first (row-major).
    public let shape: [Int]
    /// The floats, `shape.product` of them.
    public let storage: UnsafeMutableBufferPointer<Float>
    private let owner: AnyObject?

    /// A zero-filled tensor that owns its storage.
    public init(zeros shape: [Int]) throws {
        let count = try Tensor.elementCount(of: shape)
        let allocation = FloatAllocation(count: count)
        self.init(storage: allocation.buffer, shape: shape, owner: allocation)
    }

    /// A tensor that owns a copy of `values`.
    public init(shape: [Int], values: [Float]) throws {
        let count = try Tensor.elementCount(of: shape)
        guard values.count == count else {
            throw TensorError.shapeMismatch(
                operation: "Tensor(shape:values:)",
                detail: "shape \(describe(shape)) holds \(count) values, got \(values.count)")
        }
        try self.init(zeros: shape)
        _ = storage.initialize(from: values)
    }

    /// A view of memory the caller keeps alive for as long as the tensor is used.
    public init(borrowing buffer: UnsafeMutableBufferPointer<Float>, shape: [Int]) throws {
        let count = try Tensor.elementCount(of: shape)
        guard buffer.count >= count else {
            throw TensorError.bufferTooSmall(
                operation: "Tensor(borrowing:)", operand: describe(shape), needed: count, available: buffer.count)
        }
        self.init(storage: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]), shape: shape, owner: nil)
    }

    init(storage: UnsafeMutableBufferPointer<Float>, shape: [Int], owner: AnyObject?) {
        self.storage = storage
        self.shape = shape
        self.owner = owner
    }

    /// Number of elements.
    public var count: Int { storage.count }

    /// Size of the last dimension (the row length of the tensor seen as a matrix).
    public var columns: Int { shape.last ?? 1 }

    /// Product of all dimensions but the last (the row count of the tensor seen as a matrix).
    public var rows: Int { columns == 0 ? 0 : count / columns }

    /// Base address of the floats.
    public var pointer: UnsafeMutablePointer<Float> { storage.baseAddress! }

    /// The same storage seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        let newCount = try Tensor.elementCount(of: newShape)
        guard newCount == count else {
            throw TensorError.shapeMismatch(
                operation: "reshape", detail: "cannot view \(describe(shape)) as \(describe(newShape))")
        }
        return Tensor(storage: storage, shape: newShape, owner: owner)
    }

    /// Rows `range` of the tensor seen as a (rows, columns) matrix, sharing storage.
    public func rowSlice(_ range: Range<Int>) throws -> Tensor {
        guard range.lowerBound >= 0, range.upperBound <= rows else {
            throw TensorError.invalidArgument(
                operation: "rowSlice", detail: "rows \(range) outside 0..<\(rows) of \(describe(shape))")
        }
        let slice = storage[(range.lowerBound * columns)..<(range.upperBound * columns)]
        return Tensor(
            storage: UnsafeMutableBufferPointer(rebasing: slice), shape: [range.count, columns], owner: owner)
    }

    /// A copy of the floats, for tests and reports (never in a hot loop).
    public func toArray() -> [Float] { Array(storage) }

    /// Sets every element to zero.
    public func zero() { storage.update(repeating: 0) }

    /// Copies the floats of `source`, which must have the same element count.
    public func copy(from source: Tensor) throws {
        guard source.count == count else {
            throw TensorError.shapeMismatch(
                operation: "copy", detail: "source \(describe(source.shape)) into \(describe(shape))")
        }
        pointer.update(from: source.pointer, count: count)
    }

    /// Element count of `shape`, checked for negative dimensions and overflow.
    public static func elementCount(of shape: [Int]) throws -> Int {
        var total = 1
        for dimension in shape {
            guard dimension >= 0 else {
                throw TensorError.invalidArgument(
                    operation: "shape", detail: "negative dimension in \(describe(shape))")
            }
            let (product, overflow) = total.multipliedReportingOverflow(by: dimension)
            guard !overflow else { throw TensorError.sizeOverflow(shape: shape) }
            total = product
        }
        return total
    }
}

/// Heap memory for floats, zero-filled, 64-byte aligned, freed on deinit.
final class FloatAllocation {
    let buffer: UnsafeMutableBufferPointer<Float>

    init(count: Int) {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
        let typed = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        buffer = UnsafeMutableBufferPointer(start: typed, count: count)
    }

    deinit { UnsafeMutableRawPointer(buffer.baseAddress!).deallocate() }
}
