import Foundation
import QuenchModel
import QuenchTestSupport
import Testing

/// The files transformers users expect in an exported directory: generation_config.json,
/// tokenizer_config.json's pad token and model_max_length, config.json's dtype and a clean
/// rms_norm_eps, and weights stored as the chosen (or the source's) type.
@Suite struct ExportHuggingFaceFilesTests {
    let folder: URL
    init() throws { folder = try TemporaryDirectory.create("export-files") }

    func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    /// tiny-llama with a byte-level tokenizer and a tokenizer_config.json holding `extra`.
    func tinyLlama(tokenizerConfig extra: [String: Any]) throws -> URL {
        let model = try TinyLlamaFixture.copy(into: folder)
        try JSONSerialization.data(withJSONObject: extra)
            .write(to: model.appendingPathComponent(ModelBundle.tokenizerConfigFileName))
        return model
    }

    @Test func tinyLlamaDirectoryHasGenerationConfigPadAndCleanEpsilon() throws {
        let source = try ModelBundle.open(try tinyLlama(tokenizerConfig: [:]))
        let out = folder.appendingPathComponent("out")
        try HuggingFaceExporter.write(source, to: out)
        let generation = try json(out.appendingPathComponent("generation_config.json"))
        #expect(generation["bos_token_id"] as? Int == 1)
        #expect(generation["eos_token_id"] as? Int == 2)
        // No pad token in the source: EOS pads.
        #expect(generation["pad_token_id"] as? Int == 2)
        let configText = try String(contentsOf: out.appendingPathComponent("config.json"), encoding: .utf8)
        #expect(configText.contains("1e-05"))
        #expect(!configText.contains("9.99999"))
        let config = try json(out.appendingPathComponent("config.json"))
        #expect(config["dtype"] as? String == "float32")
        #expect(config["torch_dtype"] == nil)
        #expect(config["pad_token_id"] as? Int == 2)
        let tokenizer = try json(out.appendingPathComponent("tokenizer_config.json"))
        #expect(tokenizer["model_max_length"] as? Int == 128)
        #expect(tokenizer["pad_token"] as? String == ByteLevelVocabulary.tokens[2])
        #expect(try ModelBundle.open(out).source.padTokenID == 2)
    }

    @Test func sourcePadAndUnknownTokensAreKept() throws {
        let tokens = ByteLevelVocabulary.tokens
        let source = try ModelBundle.open(try tinyLlama(tokenizerConfig: ["pad_token": tokens[33], "unk_token": ["content": tokens[0]]]))
        #expect(source.source.padTokenID == 33)
        #expect(source.source.unknownTokenID == 0)
        let out = folder.appendingPathComponent("out")
        try HuggingFaceExporter.write(source, to: out)
        #expect(try json(out.appendingPathComponent("generation_config.json"))["pad_token_id"] as? Int == 33)
        let tokenizer = try json(out.appendingPathComponent("tokenizer_config.json"))
        #expect(tokenizer["pad_token"] as? String == tokens[33])
        #expect(tokenizer["unk_token"] as? String == tokens[0])
        let reopened = try ModelBundle.open(out)
        #expect(reopened.source.padTokenID == 33)
        #expect(reopened.source.unknownTokenID == 0)
    }

    @Test func padTokenOutsideTheVocabularyIsRefusedByKey() throws {
        let model = try tinyLlama(tokenizerConfig: ["pad_token": "<pad>"])
        #expect {
            try ModelBundle.open(model)
        } throws: { error in
            guard case ModelError.invalidValue(let file, let key, _) = error else { return false }
            return file.hasSuffix("tokenizer_config.json") && key == "pad_token"
        }
    }

    @Test func dtypeIsChosenAndTheSourcesIsTheDefault() throws {
        let source = try ModelBundle.open(try tinyLlama(tokenizerConfig: [:]))
        let bf16 = folder.appendingPathComponent("bf16")
        try HuggingFaceExporter.write(source, to: bf16, dtype: .bf16)
        #expect(try json(bf16.appendingPathComponent("config.json"))["dtype"] as? String == "bfloat16")
        let reopened = try ModelBundle.open(bf16)
        #expect(Set(reopened.storedTypes.keys) == ["BF16"])
        for spec in source.model.specs {
            let original = try source.model.parameter(spec.name).storage, stored = try reopened.model.parameter(spec.name).storage
            #expect(Array(stored) == original.map(Self.roundedToBFloat16), "\(spec.name)")
        }
        // A BF16 source is written BF16 by default, without rounding again.
        let again = folder.appendingPathComponent("again")
        try HuggingFaceExporter.write(reopened, to: again)
        let twice = try ModelBundle.open(again)
        #expect(Set(twice.storedTypes.keys) == ["BF16"])
        for spec in reopened.model.specs {
            #expect(Array(try twice.model.parameter(spec.name).storage) == Array(try reopened.model.parameter(spec.name).storage))
        }
        let f16 = folder.appendingPathComponent("f16")
        try HuggingFaceExporter.write(source, to: f16, dtype: .f16)
        #expect(Set(try ModelBundle.open(f16).storedTypes.keys) == ["F16"])
        #expect(try json(f16.appendingPathComponent("config.json"))["dtype"] as? String == "float16")
    }

    /// `value` rounded to the nearest bfloat16, ties to even (finite values).
    static func roundedToBFloat16(_ value: Float) -> Float {
        let bits = value.bitPattern
        return Float(bitPattern: ((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16) << 16)
    }

    @Test func weightBeyondFloat16IsRefusedNamingTheTensor() throws {
        let source = try ModelBundle.open(try tinyLlama(tokenizerConfig: [:]))
        try source.model.parameter("final_norm").storage[3] = 70000
        let out = folder.appendingPathComponent("f16")
        #expect(throws: ExportError.outOfRange(tensor: "model.norm.weight", index: 3, value: 70000, dtype: "f16")) {
            try HuggingFaceExporter.write(source, to: out, dtype: .f16)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        try HuggingFaceExporter.write(source, to: out, dtype: .bf16)
    }

    @Test func defaultTypeFollowsTheSource() {
        #expect(ExportDType.matching(storedTypes: ["F16": 60, "F32": 61]) == .f16)
        #expect(ExportDType.matching(storedTypes: ["BF16": 272]) == .bf16)
        #expect(ExportDType.matching(storedTypes: ["F32": 20]) == .f32)
        #expect(ExportDType.matching(storedTypes: ["Q4_1": 211, "F32": 61]) == .f32)
        #expect(ExportDType.matching(storedTypes: ["Q8_0": 1, "F16": 10]) == .f32)
        #expect(ExportDType.matching(storedTypes: ["BF16": 1, "F16": 10]) == .f32)
    }

    @Test(.requiresDemoModel) func smolLM2KeepsItsPadAndUnknownTokens() throws {
        let source = try ModelBundle.open(DemoModelFile.url)
        #expect(source.source.padTokenID == 2)
        #expect(source.source.unknownTokenID == 0)
        let out = folder.appendingPathComponent("smollm2")
        try HuggingFaceExporter.write(source, to: out)
        #expect(Set(try ModelBundle.open(out).storedTypes.keys) == ["F32"])
        let tokenizer = try json(out.appendingPathComponent("tokenizer_config.json"))
        #expect(tokenizer["pad_token"] as? String == "<|im_end|>")
        #expect(tokenizer["unk_token"] as? String == "<|endoftext|>")
        #expect(tokenizer["model_max_length"] as? Int == 8192)
        let generation = try json(out.appendingPathComponent("generation_config.json"))
        #expect(generation["eos_token_id"] as? Int == 2)
        #expect(generation["pad_token_id"] as? Int == 2)
    }
}
