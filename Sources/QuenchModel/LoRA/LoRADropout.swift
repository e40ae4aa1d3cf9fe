import QuenchTensor
import QuenchRandom

/// Dropout on the adapter's input, as PEFT applies it (B A dropout(x)), with masks that are a pure
/// function of (seed, stream, target, element): the backward pass regenerates the forward's mask
/// instead of storing it, and a resumed run draws the same masks as an uninterrupted one.
struct LoRADropout {
    let probability: Float
    let seed: UInt64
    let stream: UInt64

    /// out (N,I) = x ⊙ mask / (1 − p) for target number `target`.
    func apply(_ x: Tensor, into out: Tensor, target: Int) {
        let keep = 1 - probability, scale = 1 / keep
        let source = x.pointer, destination = out.pointer
        let base = seed ^ (stream &* SplitMix64.increment) ^ (UInt64(target) &* 0xC2B2_AE3D_27D4_EB4F)
        Parallelism.cores.forEachRange(x.count, grain: 4096) { range in
            for i in range {
                destination[i] = LoRADropout.uniform(base, UInt64(i)) < keep ? source[i] * scale : 0
            }
        }
    }

    /// A uniform draw in [0, 1) from a counter (SplitMix64's finaliser on key + index).
    @inline(__always)
    static func uniform(_ key: UInt64, _ index: UInt64) -> Float {
        Float(SplitMix64.mix(key &+ index &* SplitMix64.increment) >> 40) / Float(1 << 24)
    }
}
