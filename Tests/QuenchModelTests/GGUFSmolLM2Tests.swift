import Foundation
import Testing
import QuenchModel
import QuenchTestSupport

/// The real SmolLM2-135M-Instruct Q4_1 GGUF; reference numbers from gguf-py's dequantizer.
@Suite("GGUF SmolLM2-135M-Instruct")
struct GGUFSmolLM2Tests {
    @Test("metadata and tensor table", .requiresDemoModel)
    func metadata() throws {
        let url = DemoModelFile.url
        let gguf = try GGUFFile(contentsOf: url)
        #expect(gguf.version == 3)
        #expect(gguf.metadataKeys.count == 33)
        #expect(gguf.metadataKeys.first == "general.architecture")
        #expect(gguf.metadata["general.architecture"]?.string == "llama")
        #expect(gguf.metadata["llama.block_count"]?.int == 30)
        #expect(gguf.metadata["llama.embedding_length"]?.int == 576)
        #expect(gguf.metadata["llama.feed_forward_length"]?.int == 1536)
        #expect(gguf.metadata["llama.attention.head_count"]?.int == 9)
        #expect(gguf.metadata["llama.attention.head_count_kv"]?.int == 3)
        #expect(gguf.metadata["llama.rope.freq_base"]?.double == 100_000)
        #expect(gguf.metadata["tokenizer.ggml.add_bos_token"]?.bool == false)
        #expect(gguf.metadata["tokenizer.ggml.pre"]?.string == "smollm")
        let tokens = try #require(gguf.metadata["tokenizer.ggml.tokens"]?.strings)
        #expect(tokens.count == 49152)
        #expect(Array(tokens.prefix(3)) == ["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
        #expect(gguf.metadata["tokenizer.ggml.merges"]?.strings?.first == "Ġ t")
        #expect(gguf.metadata["tokenizer.ggml.token_type"]?.ints?.count == 49152)

        #expect(gguf.tensors.count == 272)
        let types = Dictionary(grouping: gguf.tensors, by: \.type).mapValues(\.count)
        #expect(types == [.q4_1: 210, .f32: 61, .q8_0: 1])
        #expect(gguf.tensor("token_embd.weight")?.type == .q8_0)
        #expect(gguf.tensor("token_embd.weight")?.shape == [49152, 576])
        #expect(gguf.tensor("blk.0.attn_q.weight")?.type == .q4_1)
        #expect(gguf.tensor("blk.0.attn_k.weight")?.shape == [192, 576])
        #expect(gguf.tensor("blk.0.ffn_down.weight")?.shape == [576, 1536])
        #expect(gguf.tensor("blk.29.attn_norm.weight")?.type == .f32)
        #expect(gguf.tensor("output_norm.weight")?.type == .f32)
        #expect(gguf.tensor("output.weight") == nil)  // tied to token_embd
        #expect(gguf.dataOffset == 1_785_664)
    }

    @Test("token_embd (Q8_0) and blk.0.attn_q (Q4_1) match gguf-py's dequantization", .requiresDemoModel)
    func dequantize() throws {
        let url = DemoModelFile.url
        let gguf = try GGUFFile(contentsOf: url)

        let embedding = try gguf.dequantize("token_embd.weight")
        #expect(embedding.count == 49152 * 576)
        #expect(Array(embedding.prefix(4)) == [-0.10654449462890625, 0.032978057861328125, 0.048198699951171875, -0.022830963134765625])
        #expect(embedding[123_457] == -0.00872039794921875)
        #expect(embedding.last == -0.0417022705078125)
        #expect(embedding.allSatisfy { $0.isFinite })
        let maxMagnitude = embedding.reduce(0) { max($0, abs($1)) }
        #expect(maxMagnitude == 1.96112060546875)
        let sum = embedding.reduce(0.0) { $0 + Double($1) }
        #expect(abs(sum - -15353.04449415207) < 1e-3)

        let query = try gguf.dequantize("blk.0.attn_q.weight")
        #expect(query.count == 576 * 576)
        let expected: [Float] = [-0.0963134765625, 0.1573486328125, -0.0963134765625, -0.73046875]
        for (value, reference) in zip(query.prefix(4), expected) { #expect(abs(value - reference) <= 1e-6) }
        #expect(abs(query[123_457] - 0.0299072265625) <= 1e-6)
        #expect(query.allSatisfy { $0.isFinite })
        let rms = (query.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(query.count)).squareRoot()
        #expect(abs(rms - 0.2839461246469261) < 1e-5)

        let norm = try gguf.dequantize("blk.0.attn_norm.weight")
        #expect(Array(norm.prefix(2)) == [0.01397705078125, 0.0238037109375])
    }
}
