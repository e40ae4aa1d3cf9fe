import Foundation
import QuenchModel
import QuenchTensor
import Testing
import QuenchTestSupport

/// The real SmolLM2-135M-Instruct (GGUF, Q4_1) against transformers' per-token losses.
@Suite struct SmolLM2Tests {
    @Test(.requiresDemoModel) func perTokenLossAndArgmaxMatchTransformers() throws {
        let url = DemoModelFile.url
        let model = try ModelLoader.load(gguf: url)
        #expect(model.config.layers == 30 && model.config.hiddenSize == 576 && model.config.tiedEmbeddings)
        let reference = try SafetensorsFile(contentsOf: SharedFixtures.url("smollm2/reference.safetensors"))
        for i in 0..<3 {
            let ids = try reference.int32s("seq\(i).input_ids")
            let n = ids.count
            let targets = Array(ids.dropFirst()) + [CrossEntropy.ignoreIndex]
            let workspace = try Workspace(config: model.config, batch: 1, time: n, training: false)
            try model.forward(TokenBatch(batch: 1, time: n, inputs: ids, targets: targets), workspace: workspace)
            let expected = try reference.floats("seq\(i).nll")
            let actual = Array(workspace.tokenLoss.prefix(n - 1))
            let worst = zip(actual, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(worst < 2e-3, "sequence \(i): worst per-token NLL difference \(worst)")
            let logits = try Tensor(zeros: [n, model.config.vocabularySize])
            try model.logits(workspace: workspace, into: logits)
            let vocabulary = model.config.vocabularySize
            let argmax = (0..<n).map { row -> Int32 in
                let values = logits.storage[(row * vocabulary)..<((row + 1) * vocabulary)]
                return Int32(values.indices.max { values[$0] < values[$1] }! - row * vocabulary)
            }
            #expect(argmax == (try reference.int32s("seq\(i).argmax")), "sequence \(i): argmax")
        }
    }
}
