import Foundation
import QuenchModel
import QuenchTensor
import Testing
import QuenchTestSupport

/// Rotary tables are built for the positions a workspace or cache holds, not for the context a
/// config declares: a huge `max_position_embeddings` costs nothing and changes no number.
@Suite struct RotaryContextTests {
    /// tiny-llama, and the same weights under a config declaring `positions` positions.
    func tinyLlamaPair(declaring positions: Int) throws -> (CausalLM, CausalLM) {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        var config = model.config
        config.maxPositions = positions
        let wide = try CausalLM(config: config)
        wide.parameters.flat.pointer.update(from: model.parameters.flat.pointer, count: model.parameters.flat.count)
        return (model, wide)
    }

    @Test func aHugeDeclaredContextAllocatesNoTableAndGivesTheSameLogits() throws {
        // 2^40 positions: tables for all of them would need 64 TiB, more than any test machine has.
        let (model, wide) = try tinyLlamaPair(declaring: 1 << 40)
        let (b, t) = (2, 16)
        let inputs = (0..<(b * t)).map { Int32(($0 * 37 + 11) % 256) }
        var logits: [[Float]] = []
        for candidate in [model, wide] {
            let workspace = try Workspace(config: candidate.config, batch: b, time: t, training: false)
            try candidate.forward(TokenBatch(batch: b, time: t, inputs: inputs), workspace: workspace)
            let output = try Tensor(zeros: [b * t, candidate.config.vocabularySize])
            try candidate.logits(workspace: workspace, into: output)
            logits.append(output.toArray())
        }
        #expect(logits[0] == logits[1])
    }

    @Test func decodingWithAHugeDeclaredContextGivesTheSameLogits() throws {
        let (model, wide) = try tinyLlamaPair(declaring: 1 << 40)
        var logits: [[Float]] = []
        for candidate in [model, wide] {
            let state = try DecodeState(config: candidate.config, capacity: 12)
            try candidate.prefill([5, 9, 200, 17], state: state)
            for token: Int32 in [3, 4, 5] { try candidate.step(token: token, state: state) }
            logits.append(state.logits)
        }
        #expect(logits[0] == logits[1] && !logits[0].isEmpty)
    }
}
