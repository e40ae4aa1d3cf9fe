import Foundation
import QuenchModel
import QuenchTensor
import Testing
import QuenchTestSupport

/// tiny-llama and tiny-gpt2 against PyTorch: logits, loss and every parameter gradient.
@Suite struct ReferenceModelTests {
    struct Case: Sendable, CustomStringConvertible {
        let folder: String
        var description: String { folder }
    }

    @Test(arguments: [Case(folder: "tiny-llama"), Case(folder: "tiny-gpt2")])
    func logitsLossAndGradientsMatchPyTorch(_ fixture: Case) throws {
        let directory = SharedFixtures.url(fixture.folder)
        let model = try ModelLoader.load(huggingFaceDirectory: directory)
        let reference = try SafetensorsFile(contentsOf: directory.appendingPathComponent("reference.safetensors"))
        let inputShape = try #require(reference.info("input_ids")).shape
        let (b, t) = (inputShape[0], inputShape[1])
        let batch = TokenBatch(batch: b, time: t, inputs: try reference.int32s("input_ids"),
                               targets: try reference.int32s("labels"))
        let workspace = try Workspace(config: model.config, batch: b, time: t, training: true, lossChunkRows: 5)
        let result = try #require(try model.forward(batch, workspace: workspace))
        let expectedLoss = try reference.floats("loss")[0]
        #expect(abs(Float(result.meanLoss) - expectedLoss) < 1e-5, "loss \(result.meanLoss) vs \(expectedLoss)")

        let logits = try Tensor(zeros: [b * t, model.config.vocabularySize])
        try model.logits(workspace: workspace, into: logits)
        let expectedLogits = try reference.floats("logits")
        let worst = zip(logits.toArray(), expectedLogits).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst < 1e-4, "max logit difference \(worst)")

        let gradients = try ParameterGradients(model: model)
        try model.backward(batch, workspace: workspace, gradients: gradients)
        var checked = 0
        for spec in model.specs {
            let expected = try reference.floats("grad." + spec.huggingFaceName)
            let actual = HuggingFaceLayout.toHuggingFace(try #require(gradients[spec.name]), spec: spec)
            let norm = expected.reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
            let error = zip(actual, expected).reduce(0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }.squareRoot()
            #expect(error <= 1e-3 * max(norm, 1e-12), "\(spec.huggingFaceName): |Δ| \(error) vs |g| \(norm)")
            checked += 1
        }
        #expect(checked == model.specs.count && checked > 10)
    }
}
