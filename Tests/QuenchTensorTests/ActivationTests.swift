import Foundation
import QuenchTensor
import Testing

@Suite struct ActivationTests {
    @Test func geluMatchesTanhFormulaAndItsGradient() throws {
        let input = try randomTensor([3, 7], seed: 30, scale: 3)
        let output = try Tensor(zeros: input.shape)
        try GELU.forward(input: input, output: output)
        let expected = input.toArray().map { x -> Float in
            let inner = Double(x) + 0.044715 * pow(Double(x), 3)
            return Float(0.5 * Double(x) * (1 + tanh((2 / Double.pi).squareRoot() * inner)))
        }
        expectClose(output.toArray(), expected, tolerance: 1e-6, "gelu values")
        let projection = try randomTensor(input.shape, seed: 31)
        let dx = try Tensor(zeros: input.shape)
        try GELU.backward(input: input, outputGrad: projection, inputGrad: dx)
        let numerical = try numericalGradient(of: {
            try GELU.forward(input: input, output: output); return projected(output, projection)
        }, wrt: input)
        expectGradient(dx, numerical, "gelu")
    }

    @Test func siluGradientMatchesFiniteDifferences() throws {
        let input = try randomTensor([4, 5], seed: 32, scale: 4)
        let output = try Tensor(zeros: input.shape), projection = try randomTensor(input.shape, seed: 33)
        let dx = try Tensor(zeros: input.shape)
        try SiLU.backward(input: input, outputGrad: projection, inputGrad: dx)
        let numerical = try numericalGradient(of: {
            try SiLU.forward(input: input, output: output); return projected(output, projection)
        }, wrt: input)
        expectGradient(dx, numerical, "silu")
    }

    @Test func swigluGradientsMatchFiniteDifferences() throws {
        let gate = try randomTensor([3, 6], seed: 34, scale: 3), up = try randomTensor([3, 6], seed: 35, scale: 2)
        let output = try Tensor(zeros: gate.shape), projection = try randomTensor(gate.shape, seed: 36)
        let dg = try Tensor(zeros: gate.shape), du = try Tensor(zeros: up.shape)
        func loss() throws -> Double {
            try SwiGLU.forward(gate: gate, up: up, output: output); return projected(output, projection)
        }
        _ = try loss()
        let g0 = gate.toArray()[0], u0 = up.toArray()[0]
        #expect(abs(output.toArray()[0] - g0 / (1 + exp(-g0)) * u0) < 1e-6)
        try SwiGLU.backward(gate: gate, up: up, outputGrad: projection, gateGrad: dg, upGrad: du)
        expectGradient(dg, try numericalGradient(of: loss, wrt: gate), "gate")
        expectGradient(du, try numericalGradient(of: loss, wrt: up), "up")
    }

    @Test func mismatchedSizesThrow() throws {
        #expect(throws: TensorError.self) {
            try SwiGLU.forward(gate: try Tensor(zeros: [2, 3]), up: try Tensor(zeros: [2, 4]), output: try Tensor(zeros: [2, 3]))
        }
    }
}
