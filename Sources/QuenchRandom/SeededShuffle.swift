extension SplitMix64 {
    /// A uniform value in `0..<bound` (bound > 0), by rejection so no value is favoured.
    public mutating func next(below bound: UInt64) -> UInt64 {
        let threshold = (0 &- bound) % bound  // 2^64 mod bound: values below it would bias the modulo
        while true {
            let value = next()
            if value >= threshold { return value % bound }
        }
    }
}

/// Seeded permutations of row and record indices.
public enum SeededShuffle {
    /// A permutation of `0..<count` fixed by `seed` and `stream` (e.g. the epoch), by Fisher–Yates.
    /// Streams are hashed into the seed so epochs get unrelated orders, not shifted copies.
    public static func permutation(count: Int, seed: UInt64, stream: UInt64) -> [Int] {
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
