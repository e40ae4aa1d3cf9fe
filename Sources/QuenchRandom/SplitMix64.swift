/// SplitMix64: the one seedable generator behind everything random in Quench (data order, LoRA
/// initialisation and dropout, sampling), so a seed fixes a run on every platform and toolchain;
/// neither the system generator nor `shuffle(using:)` (whose algorithm may change) is used.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The step added to the state per draw (2⁶⁴ / φ).
    public static let increment: UInt64 = 0x9E37_79B9_7F4A_7C15

    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= Self.increment
        return Self.mix(state)
    }

    /// A uniform Float in [0, 1) from the top 24 bits.
    public mutating func nextUnitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }

    /// A uniform Double in [0, 1) from the top 53 bits.
    public mutating func nextUnitDouble() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// SplitMix64's finaliser: a bijective 64-bit hash, also usable as a counter-based generator.
    @inline(__always)
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
