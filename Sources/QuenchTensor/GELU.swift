import Foundation

/// GELU with the tanh approximation, as GPT-2 uses it:
/// gelu(x) = ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))).
///
/// Shapes: any; output and gradients have the input's element count.
public enum GELU {
    static let k0: Float = 0.7978845608028654  // √(2/π)
    static let k1: Float = 0.044715

    /// tanh through one `expf` (tanh u = 1 − 2/(e^{2u} + 1)): several times faster than `tanhf`,
    /// within 1e-7 absolute, and saturating cleanly to ±1 when e^{2u} overflows or underflows.
    @inline(__always) static func fastTanh(_ u: Float) -> Float { 1 - 2 / (expf(2 * u) + 1) }

    /// output = gelu(input).
    public static func forward(input: Tensor, output: Tensor, parallelism: Parallelism = .cores) throws {
        try Elementwise.map("GELU.forward", input, into: output, parallelism: parallelism) { x in
            0.5 * x * (1 + fastTanh(k0 * (x + k1 * x * x * x)))
        }
    }

    /// inputGrad += outputGrad · gelu′(input).
    public static func backward(
        input: Tensor, outputGrad: Tensor, inputGrad: Tensor, parallelism: Parallelism = .cores
    ) throws {
        try Elementwise.mapBackward(
            "GELU.backward", input: input, outputGrad: outputGrad, inputGrad: inputGrad, parallelism: parallelism
        ) { x in
            let cube = k1 * x * x * x
            let t = fastTanh(k0 * (x + cube))
            let sech2 = 1 - t * t
            return 0.5 * (1 + t) + 0.5 * x * sech2 * k0 * (1 + 3 * k1 * x * x)
        }
    }
}
