import QuenchTensor
import Testing

@Suite struct LinearTests {
    @Test func backwardMatchesFiniteDifferences() throws {
        let input = try randomTensor([2, 3, 5], seed: 10)
        let weight = try randomTensor([4, 5], seed: 11)
        let bias = try randomTensor([4], seed: 12)
        let output = try Tensor(zeros: [2, 3, 4])
        let projection = try randomTensor([2, 3, 4], seed: 13)
        func loss() throws -> Double {
            try Linear.forward(input: input, weight: weight, bias: bias, output: output)
            return projected(output, projection)
        }
        let inputGrad = try Tensor(zeros: input.shape), weightGrad = try Tensor(zeros: weight.shape)
        let biasGrad = try Tensor(zeros: bias.shape)
        try Linear.backward(outputGrad: projection, input: input, weight: weight,
                            inputGrad: inputGrad, weightGrad: weightGrad, biasGrad: biasGrad)
        expectGradient(inputGrad, try numericalGradient(of: loss, wrt: input), "input")
        expectGradient(weightGrad, try numericalGradient(of: loss, wrt: weight), "weight")
        expectGradient(biasGrad, try numericalGradient(of: loss, wrt: bias), "bias")
    }

    @Test func backwardAccumulatesIntoExistingGradients() throws {
        let input = try randomTensor([3, 2], seed: 14), weight = try randomTensor([2, 2], seed: 15)
        let outputGrad = try randomTensor([3, 2], seed: 16)
        let once = try Tensor(zeros: [3, 2]), twice = try Tensor(zeros: [3, 2])
        try Linear.backward(outputGrad: outputGrad, input: input, weight: weight, inputGrad: once, weightGrad: nil, biasGrad: nil)
        for _ in 0..<2 {
            try Linear.backward(outputGrad: outputGrad, input: input, weight: weight, inputGrad: twice, weightGrad: nil, biasGrad: nil)
        }
        expectClose(twice.toArray(), once.toArray().map { 2 * $0 }, tolerance: 1e-5, "accumulation")
    }

    @Test func wrongWeightShapeThrows() throws {
        let input = try Tensor(zeros: [3, 5]), weight = try Tensor(zeros: [4, 6]), output = try Tensor(zeros: [3, 4])
        #expect(throws: TensorError.self) { try Linear.forward(input: input, weight: weight, bias: nil, output: output) }
    }
}
