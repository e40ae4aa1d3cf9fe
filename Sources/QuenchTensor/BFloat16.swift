/// bfloat16 numbers stored as their 16-bit patterns (the top half of a float32), and the two
/// conversions mixed precision needs.
///
/// fp32 → bf16 rounds to nearest, ties to even (what PyTorch's `c10::BFloat16` and oneDNN's
/// reorders do); a NaN stays a NaN (quiet); infinities and zeros keep their sign. bf16 → fp32 is exact.
public enum BFloat16 {
    /// The bf16 nearest to `value`.
    @inline(__always)
    public static func rounding(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let isNaN = bits & 0x7FFF_FFFF > 0x7F80_0000
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16
        return UInt16(truncatingIfNeeded: isNaN ? (bits >> 16) | 0x0040 : rounded)
    }

    /// The float32 with the same value as `half`.
    @inline(__always)
    public static func widening(_ half: UInt16) -> Float {
        Float(bitPattern: UInt32(half) << 16)
    }

    /// destination[i] = rounding(source[i]); the buffers have the same count.
    public static func round(_ source: UnsafeBufferPointer<Float>, into destination: UnsafeMutableBufferPointer<UInt16>,
                             parallelism: Parallelism = .cores) throws {
        guard destination.count == source.count else {
            throw TensorError.bufferTooSmall(operation: "BFloat16.round", operand: "destination",
                                             needed: source.count, available: destination.count)
        }
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        parallelism.forEachRange(source.count, grain: 1 << 14) { range in
            for index in range { to[index] = rounding(from[index]) }
        }
    }

    /// The (rows, columns) matrix at `source` with row stride `sourceStride` floats, rounded into
    /// `destination` packed (row stride = columns).
    /// - Precondition (checked): the source covers (rows-1)·stride + columns floats, the destination rows·columns.
    public static func round(rows: Int, columns: Int, source: UnsafeBufferPointer<Float>, sourceStride: Int,
                             into destination: UnsafeMutableBufferPointer<UInt16>,
                             parallelism: Parallelism = .cores) throws {
        guard rows > 0, columns > 0 else { return }
        let (span, spanOverflow) = (rows - 1).multipliedReportingOverflow(by: sourceStride)
        let (packed, packedOverflow) = rows.multipliedReportingOverflow(by: columns)
        guard sourceStride >= columns, !spanOverflow, !packedOverflow, span + columns <= source.count,
              packed <= destination.count, let from = source.baseAddress, let to = destination.baseAddress else {
            throw TensorError.bufferTooSmall(
                operation: "BFloat16.round", operand: "(\(rows), \(columns)) with stride \(sourceStride)",
                needed: max(span + columns, packed), available: min(source.count, destination.count))
        }
        let rowsPerChunk = max(1, (1 << 14) / columns)
        parallelism.forEachRange(rows, grain: rowsPerChunk) { range in
            for row in range {
                let line = from + row * sourceStride, out = to + row * columns
                for column in 0..<columns { out[column] = rounding(line[column]) }
            }
        }
    }

    /// destination[i] = widening(source[i]); the buffers have the same count.
    public static func widen(_ source: UnsafeBufferPointer<UInt16>, into destination: UnsafeMutableBufferPointer<Float>,
                             parallelism: Parallelism = .cores) throws {
        guard destination.count == source.count else {
            throw TensorError.bufferTooSmall(operation: "BFloat16.widen", operand: "destination",
                                             needed: source.count, available: destination.count)
        }
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        parallelism.forEachRange(source.count, grain: 1 << 14) { range in
            for index in range { to[index] = widening(from[index]) }
        }
    }
}

/// A zero-filled, 64-byte aligned buffer of bf16 values that frees itself.
final class BFloat16Allocation {
    let buffer: UnsafeMutableBufferPointer<UInt16>

    init(count: Int) {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(count, 1) * MemoryLayout<UInt16>.stride, alignment: 64)
        let typed = raw.initializeMemory(as: UInt16.self, repeating: 0, count: max(count, 1))
        buffer = UnsafeMutableBufferPointer(start: typed, count: count)
    }

    deinit { UnsafeMutableRawPointer(buffer.baseAddress!).deallocate() }
}
