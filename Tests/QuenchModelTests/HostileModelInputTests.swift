import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
@testable import QuenchTokenizer
import QuenchTestSupport

/// Hostile numbers, sizes and file types in model files and settings: each must end in an error
/// naming the file and key (or the setting to lower), never a trap, a huge allocation or a hang.
@Suite("Hostile model inputs")
struct HostileModelInputTests {
    let scratch: GGUFScratch

    init() throws { scratch = try GGUFScratch() }

    /// A small Llama's GGUF metadata with `overrides` applied (no tensors unless given).
    func llamaGGUF(_ overrides: [String: GGUFValue], tensors: [GGUFWriter.Tensor] = [], name: String = "m.gguf") throws -> URL {
        var entries: [(String, GGUFValue)] = [
            ("general.architecture", .string("llama")), ("llama.context_length", .uint32(64)),
            ("llama.embedding_length", .uint32(16)), ("llama.block_count", .uint32(1)),
            ("llama.feed_forward_length", .uint32(32)), ("llama.attention.head_count", .uint32(2)),
            ("llama.vocab_size", .uint32(8)),
        ]
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
            if let index = entries.firstIndex(where: { $0.0 == key }) { entries[index].1 = value } else { entries.append((key, value)) }
        }
        let url = scratch.url(name)
        try GGUFWriter.write(metadata: entries, tensors: tensors, to: url)
        return url
    }

    /// tiny-llama's folder copied to scratch with config.json edited by `edit`.
    func tinyLlama(config edit: (String) -> String) throws -> URL {
        let source = SharedFixtures.url("tiny-llama"), folder = scratch.url("tiny-llama")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let config = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)
        try Data(edit(config).utf8).write(to: folder.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(at: source.appendingPathComponent("model.safetensors"),
                                         to: folder.appendingPathComponent("model.safetensors"))
        return folder
    }

    @Test("a GGUF block_count of 2^24 is refused before the parameter table is built")
    func hugeBlockCount() throws {
        let url = try llamaGGUF(["llama.block_count": .uint32(1 << 24)])
        #expect(throws: ModelError.invalidValue(file: "m.gguf", key: "llama.block_count",
                                                reason: "16777216 layers, but the file holds only 0 tensors")) {
            try ModelLoader.load(gguf: url)
        }
    }

    @Test("GGUF sizes of 2^24 are checked against the file's tensors before allocating")
    func hugeEmbeddingLength() throws {
        let embed = GGUFWriter.Tensor(name: "token_embd.weight", shape: [8, 16], values: Array(repeating: 0, count: 128))
        let url = try llamaGGUF(["llama.embedding_length": .uint32(1 << 24), "llama.vocab_size": .uint32(1 << 24),
                                 "llama.feed_forward_length": .uint32(1 << 24)], tensors: [embed])
        #expect(throws: ModelError.tensorShape(file: "m.gguf", tensor: "token_embd.weight",
                                               expected: [1 << 24, 1 << 24], found: [8, 16])) {
            try ModelLoader.load(gguf: url)
        }
    }

    @Test("config.json sizes of 2^24 are checked against the safetensors shapes before allocating")
    func hugeHiddenSize() throws {
        let folder = try tinyLlama { $0.replacingOccurrences(of: "\"hidden_size\": 64", with: "\"hidden_size\": 16777216") }
        #expect(throws: ModelError.tensorShape(file: folder.appendingPathComponent("model.safetensors").path, tensor: "model.embed_tokens.weight",
                                               expected: [256, 1 << 24], found: [256, 64])) {
            try ModelLoader.load(huggingFaceDirectory: folder)
        }
    }

    @Test("a model whose parameters exceed physical memory is refused with the amount")
    func modelLargerThanMemory() throws {
        var config = try ModelConfig(huggingFaceConfig: SharedFixtures.url("tiny-llama/config.json"))
        (config.hiddenSize, config.intermediateSize, config.vocabularySize, config.layers) = (1 << 24, 1 << 24, 1 << 24, 4)
        let error = try #require(throws: ModelError.self) { try CausalLM(config: config) }
        guard case .exceedsMemory(_, let bytes?, let available, _) = error else { Issue.record("\(error)"); return }
        #expect(bytes > available && available == MemoryBudget.physicalBytes && "\(error)".contains("GB"))
    }

    @Test("a LoRA rank of 2^40 (from a training config or adapter_config.json) is refused before allocating")
    func hugeLoRARank() throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let error = try #require(throws: ModelError.self) {
            try LoRAAdapters(model: model, rank: 1 << 40, alpha: 16, modules: ["q", "v"], seed: 0)
        }
        guard case .exceedsMemory(_, _, _, let lower) = error else { Issue.record("\(error)"); return }
        #expect(lower.contains("LoRA rank"))
    }

    @Test("norm epsilon and rope theta must be finite and positive", arguments: [
        ("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": -1e-05", "rms_norm_eps"),
        ("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": 0", "rms_norm_eps"),
        ("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": 1e300", "rms_norm_eps"),
        ("\"rope_theta\": 10000.0", "\"rope_theta\": -10000.0", "rope_theta"),
    ])
    func invalidConfigValues(_ good: String, _ bad: String, _ key: String) throws {
        let folder = try tinyLlama { $0.replacingOccurrences(of: good, with: bad) }
        let error = try #require(throws: ModelError.self) {
            try ModelConfig(huggingFaceConfig: folder.appendingPathComponent("config.json"))
        }
        guard case .invalidValue(let file, let found, let reason) = error else { Issue.record("\(error)"); return }
        #expect(file.hasSuffix("config.json") && found == key && reason.contains("finite number greater than 0"))
    }

    @Test("a NaN epsilon or negative rope base in GGUF metadata names the metadata key", arguments: [
        ("llama.attention.layer_norm_rms_epsilon", GGUFValue.float32(.nan)),
        ("llama.rope.freq_base", GGUFValue.float32(-1)),
        ("llama.rope.freq_base", GGUFValue.float64(.infinity)),
    ])
    func invalidGGUFValues(_ key: String, _ value: GGUFValue) throws {
        let file = try GGUFFile(contentsOf: llamaGGUF([key: value]))
        let error = try #require(throws: ModelError.self) { try ModelConfig(gguf: file, file: "m.gguf") }
        guard case .invalidValue("m.gguf", key, let reason) = error else { Issue.record("\(error)"); return }
        #expect(reason.contains("finite number greater than 0"))
    }

    @Test("a workspace whose batch × time overflows is an error naming batch_size, not a trap")
    func workspaceOverflow() throws {
        let config = try ModelConfig(huggingFaceConfig: SharedFixtures.url("tiny-llama/config.json"))
        let error = try #require(throws: ModelError.self) {
            try Workspace(config: config, batch: 4_611_686_018_427_387_904, time: 128, training: true)
        }
        guard case .exceedsMemory(_, nil, _, let lower) = error else { Issue.record("\(error)"); return }
        #expect(lower.contains("batch_size") && "\(error)".contains("overflows"))
    }

    @Test("batch_size 1000000 is refused with the memory it needs, before allocating")
    func workspaceLargerThanMemory() throws {
        let config = try ModelConfig(huggingFaceConfig: SharedFixtures.url("tiny-llama/config.json"))
        let error = try #require(throws: ModelError.self) {
            try Workspace(config: config, batch: 1_000_000, time: 128, training: true)
        }
        guard case .exceedsMemory(let what, let bytes?, _, let lower) = error else { Issue.record("\(error)"); return }
        #expect(bytes > MemoryBudget.physicalBytes && what.contains("1000000 sequences × 128 tokens"))
        #expect(lower.contains("batch_size") && lower.contains("max_sequence_length"))
    }

    @Test("--max-tokens Int.max is refused against the context, not added into an overflow", .requiresDemoModel)
    func maxTokensOverflow() throws {
        let url = DemoModelFile.url
        let bundle = try ModelBundle.open(url)
        let generator = TextGenerator(bundle: bundle)
        let request = TextGenerator.Request(prompt: "Hi", chat: false, maxTokens: .max,
                                            sampling: TokenSampler.Settings(temperature: 0, topK: 0, topP: 1, seed: 0))
        let error = try #require(throws: TextGenerator.Failure.self) { try generator.generate(request) }
        guard case .tooLong(_, .max, let context) = error else { Issue.record("\(error)"); return }
        #expect(context == bundle.model.config.maxPositions)
    }

    @Test("GGUF tokenizer errors name the metadata key", arguments: [
        ([("tokenizer.ggml.tokens", GGUFValue.array([.string("a"), .string("a")]))], "tokenizer.ggml.tokens"),
        ([("tokenizer.ggml.tokens", .array([.string("a"), .string("b")])), ("tokenizer.ggml.bos_token_id", .uint32(9))],
         "tokenizer.ggml.bos_token_id"),
        ([("tokenizer.ggml.tokens", .array([.string("a"), .string("b")])), ("tokenizer.ggml.merges", .array([.string("a c")]))],
         "tokenizer.ggml.merges"),
        ([("tokenizer.ggml.tokens", .array([.string("a")])), ("tokenizer.ggml.token_type", .array([.int64(1 << 32 | 1)]))],
         "tokenizer.ggml.token_type"),
        ([("tokenizer.ggml.tokens", .array([.string("a")])), ("tokenizer.ggml.merges", .uint32(3))], "tokenizer.ggml.merges"),
    ] as [([(String, GGUFValue)], String)])
    func ggufTokenizerErrorsNameTheKey(_ metadata: [(String, GGUFValue)], _ key: String) throws {
        let url = scratch.url("t.gguf")
        try GGUFWriter.write(metadata: metadata, tensors: [], to: url)
        let error = try #require(throws: ModelError.self) {
            try GGUFTokenizer.tokenizer(from: GGUFFile(contentsOf: url), file: "t.gguf")
        }
        switch error {
        case .invalidValue("t.gguf", key, _), .wrongType("t.gguf", key, _): break
        default: Issue.record("expected an error naming \(key), got \(error)")
        }
    }
}

/// FIFOs and other non-regular files named like model files: refused at once, never opened blocking.
@Suite("Model files that are not regular files", .timeLimit(.minutes(1)))
struct NonRegularModelFileTests {
    let scratch: GGUFScratch

    init() throws { scratch = try GGUFScratch() }

    func fifo(_ name: String, in folder: URL? = nil) throws -> URL {
        let url = (folder ?? scratch.directory).appendingPathComponent(name)
        try #require(mkfifo(url.path, 0o600) == 0)
        return url
    }

    @Test("a FIFO named x.gguf")
    func ggufFIFO() throws {
        let url = try fifo("x.gguf")
        #expect(throws: GGUFError.cannotOpen(path: url.path, reason: "it is a FIFO (named pipe), not a regular file")) {
            try ModelBundle.open(url)
        }
    }

    @Test("a FIFO named model.safetensors beside a good config.json")
    func safetensorsFIFO() throws {
        let folder = scratch.url("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: SharedFixtures.url("tiny-llama/config.json"), to: folder.appendingPathComponent("config.json"))
        let url = try fifo("model.safetensors", in: folder)
        #expect(throws: SafetensorsError.notARegularFile(file: url.path, type: "a FIFO (named pipe)")) {
            try ModelBundle.open(folder)
        }
    }

    @Test("FIFOs named config.json and tokenizer.json")
    func jsonFIFOs() throws {
        let config = try fifo("config.json")
        #expect(throws: ModelError.unreadable(file: config.path, reason: "it is a FIFO (named pipe), not a regular file")) {
            try ModelConfig(huggingFaceConfig: config)
        }
        let tokenizer = try fifo("tokenizer.json")
        #expect(throws: TokenizerError.unreadableTokenizerJSON(path: tokenizer.path, reason: "it is a FIFO (named pipe), not a regular file")) {
            try BPETokenizer(tokenizerJSON: tokenizer)
        }
    }
}
