import QuenchTensor
import Testing

@Suite struct NormTests {
    @Test func layerNormBackwardMatchesFiniteDifferences() throws {
        let input = try randomTensor([2, 3, 8], seed: 20, scale: 2)
        let weight = try randomTensor([8], seed: 21), bias = try randomTensor([8], seed: 22)
        let output = try Tensor(zeros: input.shape), mean = try Tensor(zeros: [6]), rstd = try Tensor(zeros: [6])
        let projection = try randomTensor(input.shape, seed: 23)
        func loss() throws -> Double {
            try LayerNorm.forward(input: input, weight: weight, bias: bias, output: output, mean: mean, rstd: rstd)
            return projected(output, projection)
        }
        _ = try loss()
        let dx = try Tensor(zeros: input.shape), dw = try Tensor(zeros: [8]), db = try Tensor(zeros: [8])
        try LayerNorm.backward(outputGrad: projection, input: input, weight: weight, mean: mean, rstd: rstd,
                               inputGrad: dx, weightGrad: dw, biasGrad: db)
        expectGradient(dx, try numericalGradient(of: loss, wrt: input), "input")
        expectGradient(dw, try numericalGradient(of: loss, wrt: weight), "weight")
        expectGradient(db, try numericalGradient(of: loss, wrt: bias), "bias")
    }

    @Test func layerNormOutputHasZeroMeanUnitVariance() throws {
        let input = try randomTensor([4, 16], seed: 24, scale: 3)
        let ones = try Tensor(shape: [16], values: .init(repeating: 1, count: 16)), zeros = try Tensor(zeros: [16])
        let output = try Tensor(zeros: input.shape), mean = try Tensor(zeros: [4]), rstd = try Tensor(zeros: [4])
        try LayerNorm.forward(input: input, weight: ones, bias: zeros, output: output, mean: mean, rstd: rstd, epsilon: 0)
        for row in 0..<4 {
            let values = Array(output.toArray()[(row * 16)..<(row * 16 + 16)])
            let m = values.reduce(0, +) / 16
            let v = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 16
            #expect(abs(m) < 1e-5 && abs(v - 1) < 1e-4)
        }
    }

    @Test func rmsNormBackwardMatchesFiniteDifferences() throws {
        let input = try randomTensor([2, 3, 8], seed: 25, scale: 2)
        let weight = try randomTensor([8], seed: 26)
        let output = try Tensor(zeros: input.shape), rstd = try Tensor(zeros: [6])
        let projection = try randomTensor(input.shape, seed: 27)
        func loss() throws -> Double {
            try RMSNorm.forward(input: input, weight: weight, output: output, rstd: rstd)
            return projected(output, projection)
        }
        _ = try loss()
        let dx = try Tensor(zeros: input.shape), dw = try Tensor(zeros: [8])
        try RMSNorm.backward(outputGrad: projection, input: input, weight: weight, rstd: rstd, inputGrad: dx, weightGrad: dw)
        expectGradient(dx, try numericalGradient(of: loss, wrt: input), "input")
        expectGradient(dw, try numericalGradient(of: loss, wrt: weight), "weight")
    }

    @Test func rmsNormMatchesDefinition() throws {
        let input = try Tensor(shape: [1, 4], values: [1, -2, 3, -4])
        let weight = try Tensor(shape: [4], values: [1, 2, 1, 0.5])
        let output = try Tensor(zeros: [1, 4]), rstd = try Tensor(zeros: [1])
        try RMSNorm.forward(input: input, weight: weight, output: output, rstd: rstd, epsilon: 1e-5)
        let r = 1 / (Float(1 + 4 + 9 + 16) / 4 + 1e-5).squareRoot()
        expectClose(output.toArray(), [1 * r, -4 * r, 3 * r, -2 * r], tolerance: 1e-6, "rmsnorm")
    }

    @Test func mismatchedStatisticsThrow() throws {
        let input = try Tensor(zeros: [3, 4]), weight = try Tensor(zeros: [4])
        #expect(throws: TensorError.self) {
            try RMSNorm.forward(input: input, weight: weight, output: try Tensor(zeros: [3, 4]), rstd: try Tensor(zeros: [2]))
        }
    }
}
