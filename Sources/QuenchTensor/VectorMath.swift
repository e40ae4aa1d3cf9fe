/// Vector kernels over contiguous floats, eight SIMD lanes at a time.
///
/// A plain `for` loop summing into one Float cannot be vectorised (the compiler must keep the
/// additions in order), and `expf` is a scalar library call; these reassociate explicitly and
/// evaluate exp as a polynomial, eight lanes at a time.
enum VectorMath {
    typealias Vector = SIMD8<Float>

    /// Σ a[i]·b[i] for i in 0..<count.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var accumulator = Vector()
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
        var accumulator = Vector()
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

    /// max a[i] for i in 0..<count (−∞ when count is 0).
    @inline(__always)
    static func maximum(_ a: UnsafePointer<Float>, _ count: Int) -> Float {
        var accumulator = Vector(repeating: -.infinity)
        var i = 0
        while i + 8 <= count {
            let v = load(a + i)
            accumulator = accumulator.replacing(with: v, where: v .> accumulator)
            i += 8
        }
        var result = accumulator.max()
        while i < count {
            result = Swift.max(result, a[i])
            i += 1
        }
        return result
    }

    /// a[i] = exp(a[i] − shift) for i in 0..<count; returns Σ of the new values.
    @inline(__always)
    static func exponentiate(_ a: UnsafeMutablePointer<Float>, _ count: Int, subtracting shift: Float) -> Float {
        var accumulator = Vector()
        var i = 0
        let s = Vector(repeating: shift)
        while i + 8 <= count {
            let e = exp(load(a + i) - s)
            store(e, a + i)
            accumulator += e
            i += 8
        }
        var total = accumulator.sum()
        if i < count {
            let e = exp(loadPartial(a + i, count - i) - s)
            storePartial(e, a + i, count - i)
            for lane in 0..<(count - i) { total += e[lane] }
        }
        return total
    }

    /// Σ exp(a[i] − shift) for i in 0..<count, leaving a unchanged.
    @inline(__always)
    static func sumOfExponentials(_ a: UnsafePointer<Float>, _ count: Int, subtracting shift: Float) -> Float {
        var accumulator = Vector()
        var i = 0
        let s = Vector(repeating: shift)
        while i + 8 <= count {
            accumulator += exp(load(a + i) - s)
            i += 8
        }
        var total = accumulator.sum()
        if i < count {
            let e = exp(loadPartial(a + i, count - i) - s)
            for lane in 0..<(count - i) { total += e[lane] }
        }
        return total
    }

    /// a[i] *= factor for i in 0..<count.
    @inline(__always)
    static func scale(_ a: UnsafeMutablePointer<Float>, _ count: Int, by factor: Float) {
        var i = 0
        while i + 8 <= count {
            store(load(a + i) * factor, a + i)
            i += 8
        }
        while i < count {
            a[i] *= factor
            i += 1
        }
    }

    /// eˣ lane by lane: Cephes' single-precision polynomial after range reduction by ln 2, within
    /// about 2 ulp of `expf`; inputs below −87.3 give ~1e-38 instead of 0, above 88.7 ~3.4e38
    /// instead of ∞. Rounding uses the 1.5·2²³ trick and clamping uses lane selects, because
    /// `rounded()`, `pointwiseMin` and Int conversions of SIMD values compile to scalar loops (35x slower).
    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        var clamped = x.replacing(with: Vector(repeating: -87.3), where: x .< -87.3)
        clamped = clamped.replacing(with: Vector(repeating: 88.7), where: clamped .> 88.7)
        let magic = Vector(repeating: 12_582_912)  // 1.5·2²³: adding it rounds to an integer
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        var r = clamped - n * 0.693_359_375
        r -= n * -2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_59e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_12e-1
        let y = p * r * r + r + 1
        let integer = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(magic, to: SIMD8<Int32>.self)
        return y * unsafeBitCast((integer &+ 127) &<< 23, to: Vector.self)
    }

    /// 1 / (1 + e⁻ˣ) lane by lane.
    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector { 1 / (1 + exp(-x)) }

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: Vector.self)
    }

    /// The first `count` (< 8) floats at `pointer`, zeros in the other lanes.
    @inline(__always)
    static func loadPartial(_ pointer: UnsafePointer<Float>, _ count: Int) -> Vector {
        var vector = Vector()
        for lane in 0..<count { vector[lane] = pointer[lane] }
        return vector
    }

    /// Stores the first `count` (< 8) lanes.
    @inline(__always)
    static func storePartial(_ vector: Vector, _ pointer: UnsafeMutablePointer<Float>, _ count: Int) {
        for lane in 0..<count { pointer[lane] = vector[lane] }
    }
}
