/// Named tensors carved from one allocation, described by a table of (name, shape).
///
/// A model's parameters, their gradients, the optimizer moments and the activations of a step each
/// live in one block allocated once per run: kernels never allocate, and whole-model operations
/// (AdamW, the gradient norm, zeroing) run over `flat` in one pass.
public final class TensorBlock {
    /// One entry of the layout.
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public let count: Int
    }

    /// Entries in layout order.
    public let entries: [Entry]
    private let allocation: FloatAllocation
    private let index: [String: Int]

    /// Offsets are rounded up to a multiple of this many floats (16 = 64 bytes, a cache line).
    public let alignment: Int

    /// Allocates zeroed storage for `layout`; names must be unique. `alignment` 1 packs tensors back
    /// to back, which `contiguous` needs to join neighbours of any size (a model's q, k, v).
    public init(layout: [(name: String, shape: [Int])], alignment: Int = 16) throws {
        guard alignment > 0 else {
            throw TensorError.invalidArgument(operation: "TensorBlock", detail: "alignment must be positive")
        }
        self.alignment = alignment
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        var offset = 0
        for (name, shape) in layout {
            guard index[name] == nil else { throw TensorError.duplicateTensor(name: name) }
            let count = try Tensor.elementCount(of: shape)
            index[name] = entries.count
            entries.append(Entry(name: name, shape: shape, offset: offset, count: count))
            let (end, overflow) = offset.addingReportingOverflow(count)
            guard !overflow else { throw TensorError.sizeOverflow(shape: shape) }
            offset = (end + alignment - 1) / alignment * alignment
        }
        self.entries = entries
        self.index = index
        self.allocation = FloatAllocation(count: offset)
    }

    /// A block with the same layout as `other`, zero-filled (for gradients and optimizer moments).
    public convenience init(sameLayoutAs other: TensorBlock) throws {
        try self.init(layout: other.entries.map { ($0.name, $0.shape) }, alignment: other.alignment)
    }

    /// The tensor called `name`, sharing the block's storage.
    public func tensor(_ name: String) throws -> Tensor {
        guard let position = index[name] else { throw TensorError.unknownTensor(name: name) }
        return tensor(at: position)
    }

    /// The tensor of entry `position`.
    public func tensor(at position: Int) -> Tensor {
        let entry = entries[position]
        let slice = allocation.buffer[entry.offset..<(entry.offset + entry.count)]
        return Tensor(storage: UnsafeMutableBufferPointer(rebasing: slice), shape: entry.shape, owner: allocation)
    }

    /// The tensors `names`, adjacent in the layout with no padding between them, seen as one: their
    /// rows stacked (2-D tensors with equal columns) or their elements joined (1-D). One GEMM can then
    /// do the work of several (q, k and v projections; gate and up).
    public func contiguous(_ names: [String]) throws -> Tensor {
        let positions = try names.map { name -> Int in
            guard let position = index[name] else { throw TensorError.unknownTensor(name: name) }
            return position
        }
        let parts = positions.map { entries[$0] }
        guard let first = parts.first else {
            throw TensorError.invalidArgument(operation: "contiguous", detail: "no tensors named")
        }
        for (previous, next) in zip(parts, parts.dropFirst()) {
            guard next.offset == previous.offset + previous.count, next.shape.count == first.shape.count,
                  next.shape.dropFirst() == first.shape.dropFirst() else {
                throw TensorError.invalidArgument(
                    operation: "contiguous",
                    detail: "'\(previous.name)' \(describe(previous.shape)) and '\(next.name)' \(describe(next.shape)) are not adjacent rows of one matrix")
            }
        }
        let count = parts.reduce(0) { $0 + $1.count }
        let shape = [parts.reduce(0) { $0 + ($1.shape.first ?? 1) }] + first.shape.dropFirst()
        let slice = allocation.buffer[first.offset..<(first.offset + count)]
        return Tensor(storage: UnsafeMutableBufferPointer(rebasing: slice), shape: shape, owner: allocation)
    }

    /// Whether the block holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { index[name] != nil }

    /// Every float of the block, alignment padding included (padding stays zero).
    public var flat: Tensor {
        Tensor(storage: allocation.buffer, shape: [allocation.buffer.count], owner: allocation)
    }

    /// Number of floats in all tensors, padding excluded.
    public var parameterCount: Int { entries.reduce(0) { $0 + $1.count } }
}
