import QuenchTensor
import QuenchTestSupport
import Testing
@testable import QuenchRandom

/// A tensor of uniform values in [-scale, scale].
func randomTensor(_ shape: [Int], seed: UInt64, scale: Float = 1) throws -> Tensor {
    var generator = SplitMix64(seed: seed)
    let count = shape.reduce(1, *)
    return try Tensor(shape: shape, values: (0..<count).map { _ in Float.random(in: -scale...scale, using: &generator) })
}

/// Σ output · projection in Double: a scalar loss whose gradient with respect to output is `projection`.
func projected(_ output: Tensor, _ projection: Tensor) -> Double {
    zip(output.toArray(), projection.toArray()).reduce(0) { $0 + Double($1.0) * Double($1.1) }
}

/// Central finite differences of `loss` with respect to every element of `input`.
func numericalGradient(of loss: () throws -> Double, wrt input: Tensor, epsilon: Float = 1e-2) rethrows -> [Double] {
    try (0..<input.count).map { try centralDifference(loss, at: $0, in: input.storage, step: Double(epsilon)) }
}

/// Expects |analytic − numerical| ≤ absolute + relative · |numerical| element by element, and
/// that the gradient is not trivially zero (so a kernel that writes nothing cannot pass).
func expectGradient(
    _ analytic: Tensor, _ numerical: [Double], absolute: Double = 2e-3, relative: Double = 1e-2,
    _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let values = analytic.toArray()
    #expect(values.count == numerical.count, "\(label): size", sourceLocation: sourceLocation)
    var worst = 0.0, worstIndex = 0
    for (i, (a, n)) in zip(values, numerical).enumerated() {
        let excess = abs(Double(a) - n) - (absolute + relative * abs(n))
        if excess > worst { worst = excess; worstIndex = i }
    }
    #expect(worst == 0, "\(label): element \(worstIndex) analytic \(values[worstIndex]) vs numerical \(numerical[worstIndex])",
            sourceLocation: sourceLocation)
    #expect(numerical.contains { abs($0) > 1e-3 }, "\(label): gradient is all zero", sourceLocation: sourceLocation)
}

/// Expects two float sequences equal within `tolerance` (absolute).
func expectClose(
    _ a: [Float], _ b: [Float], tolerance: Float, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(a.count == b.count, "\(label): sizes \(a.count) vs \(b.count)", sourceLocation: sourceLocation)
    let worst = zip(a, b).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= tolerance, "\(label): max difference \(worst) > \(tolerance)", sourceLocation: sourceLocation)
}
