import Foundation
import QuenchTensor
import Testing

@Suite struct CrossEntropyTests {
    let rows = 7, channels = 5, vocabulary = 11
    let targets: [Int32] = [3, -100, 10, 0, -100, 7, 2]

    /// Mean NLL over scored rows from full logits, in Double.
    func naiveLoss(hidden: [Float], weight: [Float]) -> Double {
        var total = 0.0, count = 0
        for r in 0..<rows where targets[r] != -100 {
            let logits = (0..<vocabulary).map { v in
                (0..<channels).reduce(0.0) { $0 + Double(hidden[r * channels + $1]) * Double(weight[v * channels + $1]) }
            }
            let m = logits.max()!
            let lse = log(logits.map { exp($0 - m) }.reduce(0, +)) + m
            total += lse - logits[Int(targets[r])]
            count += 1
        }
        return total / Double(count)
    }

    @Test func lossMatchesFullLogitsAndIgnoresMaskedTargets() throws {
        let hidden = try randomTensor([rows, channels], seed: 70, scale: 2)
        let weight = try randomTensor([vocabulary, channels], seed: 71, scale: 2)
        let tokenLoss = try Tensor(zeros: [rows])
        let result = try CrossEntropy.forward(hidden: hidden, weight: weight, targets: targets,
                                              scratch: try Tensor(zeros: [3, vocabulary]), tokenLoss: tokenLoss)
        #expect(result.scoredTokens == 5)
        #expect(abs(result.meanLoss - naiveLoss(hidden: hidden.toArray(), weight: weight.toArray())) < 1e-5)
        #expect(tokenLoss.toArray()[1] == 0 && tokenLoss.toArray()[4] == 0)
    }

    @Test func chunksWithoutScoredRowsAreSkippedButStillZeroed() throws {
        let hidden = try randomTensor([rows, channels], seed: 74), weight = try randomTensor([vocabulary, channels], seed: 75)
        let tokenLoss = try Tensor(shape: [rows], values: Array(repeating: 9, count: rows))
        let result = try CrossEntropy.forward(hidden: hidden, weight: weight, targets: targets,
                                              scratch: try Tensor(zeros: [1, vocabulary]), tokenLoss: tokenLoss)
        #expect(result.scoredTokens == 5)
        #expect(tokenLoss.toArray()[1] == 0 && tokenLoss.toArray()[4] == 0)
        #expect(tokenLoss.toArray().enumerated().allSatisfy { $0.element > 0 || targets[$0.offset] == -100 })
    }

    @Test func chunkedEqualsUnchunked() throws {
        let hidden = try randomTensor([rows, channels], seed: 72), weight = try randomTensor([vocabulary, channels], seed: 73)
        var results: [(CrossEntropy.Result, [Float], [Float])] = []
        for chunk in [rows, 3, 1] {
            let dh = try Tensor(zeros: hidden.shape), dw = try Tensor(zeros: weight.shape)
            let result = try CrossEntropy.forwardBackward(
                hidden: hidden, weight: weight, targets: targets, scratch: try Tensor(zeros: [chunk, vocabulary]),
                hiddenGrad: dh, weightGrad: dw)
            results.append((result, dh.toArray(), dw.toArray()))
        }
        for (result, dh, dw) in results.dropFirst() {
            #expect(abs(result.summedLoss - results[0].0.summedLoss) < 1e-5)
            expectClose(dh, results[0].1, tolerance: 1e-6, "hidden grad")
            expectClose(dw, results[0].2, tolerance: 1e-6, "weight grad")
        }
    }

    @Test func gradientsMatchFiniteDifferencesOfTheMeanLoss() throws {
        let hidden = try randomTensor([rows, channels], seed: 74), weight = try randomTensor([vocabulary, channels], seed: 75)
        let scratch = try Tensor(zeros: [4, vocabulary])
        let dh = try Tensor(zeros: hidden.shape), dw = try Tensor(zeros: weight.shape)
        _ = try CrossEntropy.forwardBackward(hidden: hidden, weight: weight, targets: targets, scratch: scratch,
                                             hiddenGrad: dh, weightGrad: dw)
        func loss() throws -> Double {
            try CrossEntropy.forward(hidden: hidden, weight: weight, targets: targets, scratch: scratch).meanLoss
        }
        expectGradient(dh, try numericalGradient(of: loss, wrt: hidden), absolute: 5e-4, "hidden")
        expectGradient(dw, try numericalGradient(of: loss, wrt: weight), absolute: 5e-4, "weight")
        #expect(dh.toArray()[channels..<(2 * channels)].allSatisfy { $0 == 0 }, "ignored row gets no gradient")
    }

    @Test func frozenHeadSkipsItsGradientAndLargeLogitsStayFinite() throws {
        let hidden = try Tensor(shape: [1, 2], values: [100, -100])
        let weight = try Tensor(shape: [3, 2], values: [1, 0, 0, 1, -1, 0])
        let dh = try Tensor(zeros: [1, 2])
        let result = try CrossEntropy.forwardBackward(hidden: hidden, weight: weight, targets: [1], scratch: try Tensor(zeros: [1, 3]),
                                                      hiddenGrad: dh, weightGrad: nil)
        #expect(abs(result.summedLoss - 200) < 1e-3, "logits (100, -100, -100): NLL of class 1 is 200")
        #expect(dh.toArray().allSatisfy { $0.isFinite })
    }

    @Test func targetOutsideVocabularyThrows() throws {
        let hidden = try Tensor(zeros: [2, 3]), weight = try Tensor(zeros: [4, 3])
        #expect(throws: TensorError.indexOutOfRange(operation: "CrossEntropy", index: 4, position: 1, limit: 4)) {
            try CrossEntropy.forward(hidden: hidden, weight: weight, targets: [0, 4], scratch: try Tensor(zeros: [2, 4]))
        }
        #expect(throws: TensorError.self) {
            try CrossEntropy.forward(hidden: hidden, weight: weight, targets: [0, 1], scratch: try Tensor(zeros: [2, 5]))
        }
    }
}
