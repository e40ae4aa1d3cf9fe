import Foundation
import Testing
import QuenchModel
import QuenchTestSupport

@Suite("Safetensors reference fixtures")
struct SafetensorsFixtureTests {
    /// The tiny Llama's config.json, as plain JSON numbers.
    private func config() throws -> [String: Any] {
        let data = try Data(contentsOf: SharedFixtures.url("tiny-llama/config.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func modelTensorsMatchConfig() throws {
        let config = try config()
        let vocab = try #require(config["vocab_size"] as? Int)
        let hidden = try #require(config["hidden_size"] as? Int)
        let intermediate = try #require(config["intermediate_size"] as? Int)
        let layers = try #require(config["num_hidden_layers"] as? Int)
        let headDim = try #require(config["head_dim"] as? Int)
        let heads = try #require(config["num_attention_heads"] as? Int)
        let kvHeads = try #require(config["num_key_value_heads"] as? Int)

        let file = try SafetensorsFile(contentsOf: SharedFixtures.url("tiny-llama/model.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames.count == 3 + 9 * layers)
        var expected: [String: [Int]] = [
            "model.embed_tokens.weight": [vocab, hidden], "lm_head.weight": [vocab, hidden], "model.norm.weight": [hidden],
        ]
        for layer in 0..<layers {
            let prefix = "model.layers.\(layer)."
            expected[prefix + "self_attn.q_proj.weight"] = [heads * headDim, hidden]
            expected[prefix + "self_attn.k_proj.weight"] = [kvHeads * headDim, hidden]
            expected[prefix + "self_attn.v_proj.weight"] = [kvHeads * headDim, hidden]
            expected[prefix + "self_attn.o_proj.weight"] = [hidden, heads * headDim]
            expected[prefix + "mlp.gate_proj.weight"] = [intermediate, hidden]
            expected[prefix + "mlp.up_proj.weight"] = [intermediate, hidden]
            expected[prefix + "mlp.down_proj.weight"] = [hidden, intermediate]
            expected[prefix + "input_layernorm.weight"] = [hidden]
            expected[prefix + "post_attention_layernorm.weight"] = [hidden]
        }
        #expect(Set(file.tensorNames) == Set(expected.keys))
        for (name, shape) in expected {
            let info = try #require(file.info(name))
            #expect(info.shape == shape, "\(name)")
            #expect(info.dtype == .f32)
            try file.checkFinite(name)
        }
        let offsets = file.tensorNames.compactMap { file.info($0)?.byteRange.lowerBound }
        #expect(offsets == offsets.sorted())
    }

    @Test func floatsAgreeWithAnIndependentDecode() throws {
        let url = SharedFixtures.url("tiny-llama/model.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        let name = "model.layers.1.self_attn.q_proj.weight"
        let info = try #require(file.info(name))
        let raw = try Data(contentsOf: url)
        let headerLength = raw.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let start = 8 + headerLength + info.byteRange.lowerBound
        let independent = (0..<info.elementCount).map { index -> Float in
            let at = start + 4 * index
            let bits = (0..<4).reduce(UInt32(0)) { $0 | UInt32(raw[at + $1]) << (8 * UInt32($1)) }
            return Float(bitPattern: bits)
        }
        let floats = try file.floats(name)
        #expect(floats == independent)
        var direct = [Float](repeating: .nan, count: info.elementCount)
        try direct.withUnsafeMutableBufferPointer { try file.read(name, into: $0) }
        #expect(direct == floats)
        let mean = floats.reduce(0, +) / Float(floats.count)
        let std = (floats.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(floats.count)).squareRoot()
        #expect(std > 0.05 && std < 0.2, "init std is 0.1, got \(std)")
    }

    @Test func referenceBatchHasIntegerIdsAndUnalignedFloats() throws {
        let url = SharedFixtures.url("tiny-llama/reference.safetensors")
        let file = try SafetensorsFile(contentsOf: url)
        #expect(file.info("input_ids")?.dtype == .i32)
        #expect(file.info("input_ids")?.shape == [2, 16])
        #expect(file.info("logits")?.shape == [2, 16, 256])
        let ids = try file.int32s("input_ids")
        #expect(ids.count == 32 && ids.allSatisfy { (0..<256).contains($0) })
        let labels = try file.int32s("labels")
        #expect(labels[15] == -100 && labels[31] == -100)
        #expect(Array(labels[0..<4]) == [-100, -100, -100, -100])
        #expect(throws: SafetensorsError.self) { try file.floats("input_ids") }
        let losses = try file.floats("full.losses")
        #expect(abs(losses[0] - 5.8604) < 1e-3 && abs(losses[4] - 0.7747) < 1e-3)
        for name in file.tensorNames where file.info(name)?.dtype == .f32 { try file.checkFinite(name) }
    }
}
