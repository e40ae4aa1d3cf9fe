import Foundation
import QuenchModel
import QuenchTensor
import Testing
import QuenchTestSupport

/// Generation with the key/value cache must give the logits of the full forward pass.
@Suite struct DecodingTests {
    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func cachedStepsAndPrefillMatchTheFullForwardPass(_ folder: String) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(folder))
        let tokens: [Int32] = [5, 17, 200, 3, 99, 42, 7, 128, 64, 1]
        let n = tokens.count, vocabulary = model.config.vocabularySize
        let workspace = try Workspace(config: model.config, batch: 1, time: n, training: false)
        try model.forward(TokenBatch(batch: 1, time: n, inputs: tokens), workspace: workspace)
        let full = try Tensor(zeros: [n, vocabulary])
        try model.logits(workspace: workspace, into: full)
        let reference = full.toArray()

        let stepped = try DecodeState(config: model.config, capacity: n)
        for (position, token) in tokens.enumerated() {
            try model.step(token: token, state: stepped)
            let expected = Array(reference[(position * vocabulary)..<((position + 1) * vocabulary)])
            let worst = zip(stepped.logits, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 1e-4, "\(folder) position \(position): \(worst)")
        }

        let prefilled = try DecodeState(config: model.config, capacity: n)
        try model.prefill(Array(tokens.prefix(6)), state: prefilled)
        for position in 6..<n {
            try model.step(token: tokens[position], state: prefilled)
        }
        let last = Array(reference[((n - 1) * vocabulary)...])
        #expect((zip(prefilled.logits, last).map { abs($0 - $1) }.max() ?? .infinity) < 1e-4)
        #expect(throws: TensorError.self) { try model.step(token: 1, state: prefilled) }
    }

    @Test func samplerIsGreedyAtZeroTemperatureAndReproducibleWithASeed() {
        let logits: [Float] = [0.1, 2.0, 1.9, -1, 0.5]
        var greedy = TokenSampler(.init())
        #expect(greedy.next(logits) == 1)
        var first = TokenSampler(.init(temperature: 1.5, topK: 4, topP: 0.95, seed: 7))
        var second = TokenSampler(.init(temperature: 1.5, topK: 4, topP: 0.95, seed: 7))
        let a = (0..<50).map { _ in first.next(logits) }, b = (0..<50).map { _ in second.next(logits) }
        #expect(a == b)
        #expect(Set(a).count > 1, "sampling at temperature 1.5 should not always pick one token")
        #expect(!a.contains(3), "top-k 4 excludes the lowest logit")
        var narrow = TokenSampler(.init(temperature: 1, topP: 0.3, seed: 1))
        #expect((0..<20).allSatisfy { _ in narrow.next(logits) == 1 }, "top-p 0.3 keeps only the best token")
    }
}
