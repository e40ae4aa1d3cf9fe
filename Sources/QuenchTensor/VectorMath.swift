/// Reductions over contiguous floats with eight SIMD accumulators.
///
/// A plain `for` loop summing into one Float cannot be vectorised (the compiler must keep the
/// additions in order); these reassociate explicitly, eight lanes at a time.
enum VectorMath {
    /// Σ a[i]·b[i] for i in 0..<count.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            accumulator += load(a + i) * load(b + i)
            i += 8
        }
        var total = accumulator.sum()
        while i < count {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }

    /// Σ a[i] for i in 0..<count.
    @inline(__always)
    static func sum(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
        var accumulator = SIMD8<Float>()
        var i = 0
        while i + 8 <= count {
            accumulator += load(a + i)
            i += 8
        }
        var total = accumulator.sum()
        while i < count {
            total += a[i]
            i += 1
        }
        return total
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }
}
