import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// The Llama config options Quench implements against transformers 5.25 itself: tiny Llamas saved by
/// scripts/make-architecture-reference.py (`Resources/arch-*`) with attention_bias and mlp_bias, linear
/// RoPE scaling and llama3 RoPE scaling give transformers' logits, loss and every gradient, and the
/// cached generation steps give the full forward pass's logits.
@Suite struct ArchitectureConfigReferenceTests {
    /// A variant's model directory and transformers' numbers on the batch stored beside them.
    static func reference(_ variant: String) throws -> ReferenceResource {
        try ReferenceResource("arch-\(variant)", fixture: nil)
    }

    static let variants = ["biases", "rope-linear", "rope-llama3"]

    @Test func theOptionsAreReadFromConfigJSON() throws {
        let biases = try ModelLoader.load(huggingFaceDirectory: Self.reference("biases").directory).config
        #expect(biases.attentionBias && biases.outputBias && biases.mlpBias && biases.ropeScaling == nil)
        let linear = try ModelLoader.load(huggingFaceDirectory: Self.reference("rope-linear").directory).config
        #expect(linear.ropeScaling == .linear(factor: 2) && !linear.outputBias && !linear.mlpBias)
        let llama3 = try ModelLoader.load(huggingFaceDirectory: Self.reference("rope-llama3").directory).config
        #expect(llama3.ropeScaling == .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 128))
    }

    @Test(arguments: variants)
    func logitsLossAndGradientsAreTransformers(_ variant: String) throws {
        let reference = try Self.reference(variant)
        let model = try ModelLoader.load(huggingFaceDirectory: reference.directory)
        let batch = reference.batch
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true)
        let result = try #require(try model.forward(batch, workspace: workspace))
        let logits = try Tensor(zeros: [batch.batch * batch.time, model.config.vocabularySize])
        try model.logits(workspace: workspace, into: logits)
        let expectedLoss = Double(try reference.file.floats("loss")[0])
        let plainLoss = Double(try reference.file.floats("plain.loss")[0])
        #expect(PEFTVariantTests.largestDifference(logits.toArray(), try reference.file.floats("logits")) < 1e-5)
        #expect(abs(result.meanLoss - expectedLoss) < 1e-6, "\(variant): \(result.meanLoss) vs \(expectedLoss)")
        #expect(abs(plainLoss - expectedLoss) > 1e-3, "\(variant): the option must change the loss for this test to see it")

        let gradients = try ParameterGradients(model: model)
        try model.backward(batch, workspace: workspace, gradients: gradients)
        for spec in model.specs {
            let expected = try reference.file.floats("grad." + spec.huggingFaceName)
            let found = try #require(gradients[spec.name]).toArray()
            let scale = max(1, expected.map(abs).max() ?? 0)
            #expect(PEFTVariantTests.largestDifference(found, expected) < 2e-5 * scale, "\(variant): \(spec.huggingFaceName)")
        }
    }

    @Test(arguments: variants)
    func aGGUFExportKeepsTheOptionsAndTheLoss(_ variant: String) throws {
        let reference = try Self.reference(variant)
        let folder = try TemporaryDirectory("arch-gguf")
        let url = folder.url.appendingPathComponent("model.gguf")
        let original = try ModelBundle.open(reference.directory)
        try GGUFExporter.write(original, to: url, type: .f32)
        let reloaded = try ModelLoader.load(gguf: url)
        let (before, after) = (original.model.config, reloaded.config)
        #expect(after.outputBias == before.outputBias && after.mlpBias == before.mlpBias)
        if case .llama3 = before.ropeScaling {
            // llama.cpp's form: rope_freqs.weight divisors giving the same inverse frequencies.
            guard case .frequencyDivisors = after.ropeScaling else {
                Issue.record("llama3 scaling came back as \(String(describing: after.ropeScaling))")
                return
            }
            let worst = zip(before.rotaryInverseFrequencies(), after.rotaryInverseFrequencies())
                .map { abs($0 - $1) / $0 }.max() ?? .infinity
            #expect(worst < 1e-6)
            #expect(throws: ModelError.self) { try after.huggingFaceJSON() }
        } else {
            #expect(after.ropeScaling == before.ropeScaling)
        }
        let batch = reference.batch
        let workspace = try Workspace(config: after, batch: batch.batch, time: batch.time, training: false)
        let result = try #require(try reloaded.forward(batch, workspace: workspace))
        #expect(abs(result.meanLoss - Double(try reference.file.floats("loss")[0])) < 1e-5)
    }

    @Test(arguments: variants)
    func cachedGenerationStepsGiveTheForwardLogits(_ variant: String) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: Self.reference(variant).directory)
        let tokens: [Int32] = (0..<40).map { Int32(($0 * 37 + 5) % 128) }
        let n = tokens.count, vocabulary = model.config.vocabularySize
        let workspace = try Workspace(config: model.config, batch: 1, time: n, training: false)
        try model.forward(TokenBatch(batch: 1, time: n, inputs: tokens), workspace: workspace)
        let full = try Tensor(zeros: [n, vocabulary])
        try model.logits(workspace: workspace, into: full)
        let state = try DecodeState(config: model.config, capacity: n)
        for token in tokens { try model.step(token: token, state: state) }
        let last = Array(full.toArray()[((n - 1) * vocabulary)...])
        #expect(PEFTVariantTests.largestDifference(state.logits, last) < 1e-4, "\(variant)")
    }
}
