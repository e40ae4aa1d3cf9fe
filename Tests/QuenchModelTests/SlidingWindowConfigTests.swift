import Foundation
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// Quench computes full causal attention, so a config whose sliding window would mask keys (as
/// transformers 5.25 and llama.cpp read it) is refused naming the file and key; one that changes
/// nothing loads as before.
@Suite("Sliding-window attention configs")
struct SlidingWindowConfigTests {
    let folder: TemporaryDirectory

    init() throws { folder = try TemporaryDirectory("window") }

    /// A 2-layer config.json for `architecture` with `max_position_embeddings` of `positions` and the
    /// JSON members `extra` (each led by a comma) appended.
    func config(_ architecture: String, positions: Int = 128, _ extra: String = "") throws -> URL {
        let json = """
            {"architectures": ["\(architecture)"], "vocab_size": 40, "hidden_size": 16, "intermediate_size": 24,
             "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "max_position_embeddings": \(positions), "rms_norm_eps": 1e-6\(extra)}
            """
        return try folder.file("config-\(UUID().uuidString.prefix(8)).json", bytes: Data(json.utf8))
    }

    /// The key and reason of the `invalidValue` that reading `url` throws, after checking it names `url`.
    func refusal(_ url: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> (key: String, reason: String) {
        let error = try #require(throws: ModelError.self, sourceLocation: sourceLocation) {
            try ModelConfig(huggingFaceConfig: url)
        }
        guard case .invalidValue(let file, let key, let reason) = error else {
            Issue.record("expected invalidValue, got \(error)", sourceLocation: sourceLocation)
            return ("", "")
        }
        #expect(file == url.path && "\(error)".contains(url.path) && "\(error)".contains("'\(key)'"),
                sourceLocation: sourceLocation)
        return (key, reason)
    }

    @Test("Mistral with a 32-token window under 128 positions is refused naming sliding_window")
    func mistralSmallWindowRefused() throws {
        let (key, reason) = try refusal(config("MistralForCausalLM", #", "sliding_window": 32"#))
        #expect(key == "sliding_window")
        #expect(reason.contains("32-token sliding window on every layer") && reason.contains("max_position_embeddings is 128"))
        #expect(reason.contains("full causal attention"))
    }

    @Test("a Mistral window that cannot mask anything loads", arguments: [
        #", "sliding_window": null"#, #", "sliding_window": 128"#, #", "sliding_window": 4096"#, "",
    ])
    func mistralHarmlessWindowLoads(_ extra: String) throws {
        let config = try ModelConfig(huggingFaceConfig: config("MistralForCausalLM", extra))
        #expect(config.modelType == "mistral" && config.maxPositions == 128)
    }

    @Test("an absent Mistral window is transformers' default of 4096, refused under 8192 positions")
    func mistralAbsentWindowIsTheDefault() throws {
        let (key, reason) = try refusal(config("MistralForCausalLM", positions: 8192))
        #expect(key == "sliding_window" && reason.contains("absent") && reason.contains("4096-token"))
        #expect(reason.contains("max_position_embeddings is 8192"))
        #expect((try? ModelConfig(huggingFaceConfig: config("MistralForCausalLM", positions: 8192, #", "sliding_window": null"#))) != nil)
    }

    @Test("a window of 0 or less is refused as implausible", arguments: [0, -3])
    func implausibleWindowRefused(_ window: Int) throws {
        let (key, reason) = try refusal(config("MistralForCausalLM", ", \"sliding_window\": \(window)"))
        #expect(key == "sliding_window" && reason.contains("\(window) is not a plausible window"))
    }

    @Test("a window of the wrong type names the key")
    func wrongTypeWindow() throws {
        let url = try config("MistralForCausalLM", #", "sliding_window": "32""#)
        #expect(throws: ModelError.wrongType(file: url.path, key: "sliding_window", expected: "Int")) {
            try ModelConfig(huggingFaceConfig: url)
        }
    }

    @Test("Qwen2 ignores its window unless use_sliding_window is true", arguments: [
        #", "sliding_window": 32, "max_window_layers": 0"#,
        #", "use_sliding_window": false, "sliding_window": 32, "max_window_layers": 0"#,
        #", "use_sliding_window": true, "sliding_window": null, "max_window_layers": 0"#,
        #", "use_sliding_window": true, "sliding_window": 128, "max_window_layers": 0"#,
    ])
    func qwen2HarmlessWindowLoads(_ extra: String) throws {
        let config = try ModelConfig(huggingFaceConfig: config("Qwen2ForCausalLM", extra))
        #expect(config.modelType == "qwen2" && config.layers == 2)
    }

    @Test("Qwen2 windows only the layers from max_window_layers on, or those layer_types marks", arguments: [
        #", "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 2"#,
        #", "use_sliding_window": true, "sliding_window": 32"#,
        #", "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 0, "layer_types": ["full_attention", "full_attention"]"#,
    ])
    func qwen2WindowOnNoLayerLoads(_ extra: String) throws {
        #expect((try? ModelConfig(huggingFaceConfig: config("Qwen2ForCausalLM", extra))) != nil)
    }

    @Test("Qwen2 with use_sliding_window and a small window on some layer is refused, saying which layers")
    func qwen2SmallWindowRefused() throws {
        let byIndex = try refusal(config("Qwen2ForCausalLM", #", "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 1"#))
        #expect(byIndex.key == "sliding_window" && byIndex.reason.contains("32-token sliding window"))
        #expect(byIndex.reason.contains("1 of 2 layers from max_window_layers 1 on"))
        let byType = try refusal(config("Qwen2ForCausalLM",
            #", "use_sliding_window": true, "sliding_window": 32, "max_window_layers": 2, "layer_types": ["sliding_attention", "full_attention"]"#))
        #expect(byType.key == "sliding_window" && byType.reason.contains("1 of 2 layers that layer_types marks sliding_attention"))
        let absent = try refusal(config("Qwen2ForCausalLM", positions: 8192, #", "use_sliding_window": true, "max_window_layers": 0"#))
        #expect(absent.reason.contains("absent") && absent.reason.contains("4096-token sliding window on the 2 of 2 layers"))
    }

    @Test("Llama has no window: its sliding_window key changes nothing")
    func llamaIgnoresTheKey() throws {
        #expect((try? ModelConfig(huggingFaceConfig: config("LlamaForCausalLM", #", "sliding_window": 32"#))) != nil)
    }

    /// A 1-layer GGUF header of architecture `name` with 64 positions and `extra` metadata.
    func gguf(_ name: String, _ extra: [(String, GGUFValue)]) throws -> GGUFFile {
        let url = folder.url.appendingPathComponent("m-\(UUID().uuidString.prefix(8)).gguf")
        try GGUFWriter.write(metadata: [
            ("general.architecture", .string(name)), ("\(name).context_length", .uint32(64)),
            ("\(name).embedding_length", .uint32(16)), ("\(name).block_count", .uint32(1)),
            ("\(name).feed_forward_length", .uint32(32)), ("\(name).attention.head_count", .uint32(2)),
            ("\(name).vocab_size", .uint32(8)),
        ] + extra, tensors: [], to: url)
        return try GGUFFile(contentsOf: url)
    }

    @Test("GGUF <arch>.attention.sliding_window under the context length is refused naming the key",
          arguments: ["llama", "mistral", "qwen2"])
    func ggufSmallWindowRefused(_ name: String) throws {
        let file = try gguf(name, [("\(name).attention.sliding_window", .uint32(32))])
        let error = try #require(throws: ModelError.self) { try ModelConfig(gguf: file, file: "m.gguf") }
        guard case .invalidValue("m.gguf", "\(name).attention.sliding_window", let reason) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(reason.contains("32-token sliding window changes attention") && reason.contains("\(name).context_length is 64"))
    }

    @Test("a GGUF window of 0 (llama.cpp: none) or of the whole context loads", arguments: [0, 64, 4096])
    func ggufHarmlessWindowLoads(_ window: Int) throws {
        let file = try gguf("llama", [("llama.attention.sliding_window", .uint32(UInt32(window)))])
        #expect(try ModelConfig(gguf: file, file: "m.gguf").maxPositions == 64)
    }

    @Test("an exported Mistral config.json says its window is null, so transformers and Quench read full attention")
    func exportedMistralHasNoWindow() throws {
        var config = try ModelConfig(huggingFaceConfig: config("MistralForCausalLM", positions: 8192, #", "sliding_window": null"#))
        config.maxPositions = 32768
        let json = try config.huggingFaceJSON()
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["sliding_window"] is NSNull)
        let url = try folder.file("exported.json", bytes: json)
        #expect(try ModelConfig(huggingFaceConfig: url) == config)
    }
}
