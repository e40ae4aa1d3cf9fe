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
        // gateUp (3, 2·6): gate in columns 0..<6, up in 6..<12.
        let gateUp = try randomTensor([3, 12], seed: 34, scale: 3)
        let output = try Tensor(zeros: [3, 6]), projection = try randomTensor([3, 6], seed: 36)
        let gradient = try Tensor(zeros: gateUp.shape)
        func loss() throws -> Double {
            try SwiGLU.forward(gateUp: gateUp, output: output); return projected(output, projection)
        }
        _ = try loss()
        let values = gateUp.toArray()
        let (g, u) = (values[13], values[19])  // row 1, column 1 of gate and of up
        #expect(abs(output.toArray()[7] - g / (1 + exp(-g)) * u) < 1e-6)
        try SwiGLU.backward(gateUp: gateUp, outputGrad: projection, gateUpGrad: gradient)
        expectGradient(gradient, try numericalGradient(of: loss, wrt: gateUp), "gate and up")
    }

    @Test func mismatchedSizesThrow() throws {
        #expect(throws: TensorError.self) {
            try SwiGLU.forward(gateUp: try Tensor(zeros: [2, 7]), output: try Tensor(zeros: [2, 3]))
        }
    }
}
