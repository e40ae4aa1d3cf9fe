/// SplitMix64: a small, fast, seedable generator. Data order must be reproducible from the seed on
/// every platform and toolchain, so neither the system generator nor the standard library's
/// `shuffle(using:)` (whose algorithm may change) is used.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniform value in `0..<bound` (bound > 0), by rejection so no value is favoured.
    mutating func next(below bound: UInt64) -> UInt64 {
        let threshold = (0 &- bound) % bound  // 2^64 mod bound: values below it would bias the modulo
        while true {
            let value = next()
            if value >= threshold { return value % bound }
        }
    }

    /// SplitMix64's finaliser: a bijective 64-bit hash.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Seeded permutations of row and record indices.
enum SeededShuffle {
    /// A permutation of `0..<count` fixed by `seed` and `stream` (e.g. the epoch), by Fisher–Yates.
    /// Streams are hashed into the seed so epochs get unrelated orders, not shifted copies.
    static func permutation(count: Int, seed: UInt64, stream: UInt64) -> [Int] {
        var order = Array(0..<count)
        guard count > 1 else { return order }
        var generator = SplitMix64(seed: seed ^ SplitMix64.mix(stream &+ 0xD1B5_4A32_D192_ED03))
        for i in stride(from: count - 1, to: 0, by: -1) {
            let j = Int(generator.next(below: UInt64(i + 1)))
            order.swapAt(i, j)
        }
        return order
    }
}
