/// GELU with the tanh approximation, as GPT-2 uses it:
/// gelu(x) = ½ x (1 + tanh(√(2/π) (x + 0.044715 x³))).
///
/// Shapes: any; output and gradients have the input's element count.
public enum GELU {
    typealias Vector = VectorMath.Vector
    static let k0: Float = 0.7978845608028654  // √(2/π)
    static let k1: Float = 0.044715

    /// tanh through one exp (tanh u = 1 − 2/(e^{2u} + 1)), saturating cleanly to ±1.
    @inline(__always) static func tanh(_ u: Vector) -> Vector { 1 - 2 / (VectorMath.exp(2 * u) + 1) }

    /// output = gelu(input).
    public static func forward(input: Tensor, output: Tensor, parallelism: Parallelism = .cores) throws {
        try Elementwise.map("GELU.forward", input, into: output, parallelism: parallelism) { x in
            let inner: Vector = k0 * (x + k1 * x * x * x)
            let half: Vector = 0.5 * x
            return half * (1 + tanh(inner))
        }
    }

    /// inputGrad += outputGrad · gelu′(input).
    public static func backward(
        input: Tensor, outputGrad: Tensor, inputGrad: Tensor, parallelism: Parallelism = .cores
    ) throws {
        try Elementwise.mapBackward(
            "GELU.backward", input: input, outputGrad: outputGrad, inputGrad: inputGrad, parallelism: parallelism
        ) { x in
            let cube: Vector = k1 * x * x * x
            let t = tanh(k0 * (x + cube))
            let slope: Vector = k0 * (1 + 3 * k1 * x * x)
            let left: Vector = 0.5 * (1 + t)
            let right: Vector = 0.5 * x * (1 - t * t)
            return left + right * slope
        }
    }
}
