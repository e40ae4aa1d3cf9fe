import Foundation
import QuenchModel
import QuenchTestSupport
import Testing

/// A GGUF export lists what its source listed: the `general.*` description (minus the entries
/// about the source file's own encoding), add_space_prefix, and the padding and unknown tokens.
@Suite struct ExportGGUFMetadataTests {
    let folder: URL
    init() throws { folder = try TemporaryDirectory.create("export-gguf") }

    func gguf(_ metadata: [(String, GGUFValue)]) throws -> GGUFFile {
        let url = folder.appendingPathComponent("m-\(UUID().uuidString.prefix(8)).gguf")
        try GGUFWriter.write(metadata: [("general.architecture", .string("llama"))] + metadata, tensors: [], to: url)
        return try GGUFFile(contentsOf: url)
    }

    @Test func sourceMetadataKeepsGeneralEntriesInOrderWithoutEncodingKeys() throws {
        let file = try gguf([
            ("general.name", .string("Tiny")), ("general.file_type", .uint32(3)), ("general.license", .string("mit")),
            ("general.quantization_version", .uint32(2)), ("general.languages", .array([.string("en")])),
            ("tokenizer.ggml.add_space_prefix", .bool(true)), ("tokenizer.ggml.padding_token_id", .uint32(5)),
            ("tokenizer.ggml.unknown_token_id", .uint32(0)),
        ])
        let source = try ModelSourceMetadata(gguf: file, file: "m.gguf", vocabularySize: 8)
        #expect(source.general.map(\.key) == ["general.name", "general.license", "general.languages"])
        #expect(source.license == "mit")
        #expect(source.addSpacePrefix == true)
        #expect(source.padTokenID == 5)
        #expect(source.unknownTokenID == 0)
        #expect(try ModelSourceMetadata(gguf: try gguf([]), file: "m.gguf", vocabularySize: 8) == ModelSourceMetadata())
    }

    @Test func tokenIDsOutsideTheVocabularyOrOfTheWrongTypeAreRefusedByKey() throws {
        let outside = try gguf([("tokenizer.ggml.padding_token_id", .uint32(8))])
        #expect {
            try ModelSourceMetadata(gguf: outside, file: "m.gguf", vocabularySize: 8)
        } throws: { error in
            guard case ModelError.invalidValue("m.gguf", "tokenizer.ggml.padding_token_id", let reason) = error else { return false }
            return reason.contains("outside the vocabulary of 8 tokens")
        }
        let wrongType = try gguf([("tokenizer.ggml.unknown_token_id", .string("0"))])
        #expect(throws: ModelError.wrongType(file: "m.gguf", key: "tokenizer.ggml.unknown_token_id", expected: "an integer")) {
            try ModelSourceMetadata(gguf: wrongType, file: "m.gguf", vocabularySize: 8)
        }
        let prefix = try gguf([("tokenizer.ggml.add_space_prefix", .uint8(1))])
        #expect(throws: ModelError.wrongType(file: "m.gguf", key: "tokenizer.ggml.add_space_prefix", expected: "a boolean")) {
            try ModelSourceMetadata(gguf: prefix, file: "m.gguf", vocabularySize: 8)
        }
    }

    @Test func huggingFacePadTokenBecomesThePaddingTokenID() throws {
        let model = try TinyLlamaFixture.copy(into: folder)
        try JSONSerialization.data(withJSONObject: ["pad_token": ByteLevelVocabulary.tokens[33]])
            .write(to: model.appendingPathComponent(ModelBundle.tokenizerConfigFileName))
        let out = folder.appendingPathComponent("tiny.gguf")
        try GGUFExporter.write(try ModelBundle.open(model), to: out, type: .f32)
        let file = try GGUFFile(contentsOf: out)
        #expect(file.metadata["tokenizer.ggml.padding_token_id"] == .uint32(33))
        #expect(file.metadata["tokenizer.ggml.unknown_token_id"] == nil)
        #expect(file.metadata["general.name"] == .string("tiny-llama"))
        #expect(try ModelBundle.open(out).source.padTokenID == 33)
    }

    /// The tiny Llama as a GGUF file named `name` whose metadata ends with `described` instead of
    /// the general.name an export gives it.
    func tinyGGUF(_ name: String, described: [(String, GGUFValue)]) throws -> URL {
        let plain = folder.appendingPathComponent("plain-\(name)")
        let model = try TinyLlamaFixture.copy(into: folder.appendingPathComponent("\(name)-model"))
        try GGUFExporter.write(try ModelBundle.open(model), to: plain, type: .f32)
        let file = try GGUFFile(contentsOf: plain)
        let kept = file.metadataKeys.filter { $0 != "general.name" }.compactMap { key in file.metadata[key].map { (key, $0) } }
        let tensors = try file.tensors.map { GGUFWriter.Tensor(name: $0.name, shape: $0.shape, values: try file.dequantize($0.name)) }
        let source = folder.appendingPathComponent(name)
        try GGUFWriter.write(metadata: kept + described, tensors: tensors, to: source)
        return source
    }

    @Test func aGGUFSourcesDescriptionSurvivesExport() throws {
        let described: [(String, GGUFValue)] = [
            ("general.name", .string("Tiny Llama")), ("general.basename", .string("tiny")), ("general.license", .string("mit")),
            ("general.quantization_version", .uint32(2)), ("tokenizer.ggml.add_space_prefix", .bool(false)),
            ("tokenizer.ggml.unknown_token_id", .uint32(0)),
        ]
        let source = try tinyGGUF("source.gguf", described: described)
        let out = folder.appendingPathComponent("out.gguf")
        try GGUFExporter.write(try ModelBundle.open(source), to: out, type: .f16)
        let exported = try GGUFFile(contentsOf: out)
        #expect(Array(exported.metadataKeys.prefix(4)) == ["general.architecture", "general.name", "general.basename", "general.license"])
        #expect(exported.metadata["general.name"] == .string("Tiny Llama"))
        #expect(exported.metadata["general.license"] == .string("mit"))
        #expect(exported.metadata["general.quantization_version"] == nil)
        #expect(exported.metadata["general.file_type"] == .uint32(1))
        #expect(exported.metadata["tokenizer.ggml.add_space_prefix"] == .bool(false))
        #expect(exported.metadata["tokenizer.ggml.unknown_token_id"] == .uint32(0))
        #expect(exported.metadataKeys.filter { $0 == "general.name" }.count == 1)
    }

    @Test func aGeneralNameThatIsNotAStringIsRefusedNotWrittenTwice() throws {
        let source = try tinyGGUF("numbered.gguf", described: [("general.name", .uint32(7))])
        let out = folder.appendingPathComponent("numbered-out.gguf")
        #expect(throws: ModelError.wrongType(file: source.path, key: "general.name",
                                             expected: "a string, as llama.cpp reads it (it would refuse the export)")) {
            try GGUFExporter.write(try ModelBundle.open(source), to: out, type: .f32)
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        // Without any general.name, the export names the model after the source file, once.
        let unnamed = try tinyGGUF("unnamed.gguf", described: [("general.license", .string("mit"))])
        let named = folder.appendingPathComponent("unnamed-out.gguf")
        try GGUFExporter.write(try ModelBundle.open(unnamed), to: named, type: .f32)
        let exported = try GGUFFile(contentsOf: named)
        #expect(exported.metadataKeys.filter { $0 == "general.name" }.count == 1)
        #expect(exported.metadata["general.name"] == .string("unnamed"))
    }

    @Test(.requiresDemoModel) func smolLM2ExportListsWhatTheSourceListed() throws {
        let original = try GGUFFile(contentsOf: DemoModelFile.url)
        let out = folder.appendingPathComponent("smollm2.gguf")
        try GGUFExporter.write(try ModelBundle.open(DemoModelFile.url), to: out, type: .f16)
        let exported = try GGUFFile(contentsOf: out)
        let notKept: Set = ["general.file_type", "general.quantization_version"]
        for key in original.metadataKeys where !notKept.contains(key) {
            #expect(exported.metadata[key] == original.metadata[key], "\(key)")
        }
        #expect(exported.metadata["general.file_type"] == .uint32(1))
        #expect(exported.metadata["general.quantization_version"] == nil)
        #expect(exported.metadata["general.license"] == .string("apache-2.0"))
        #expect(exported.metadata["tokenizer.ggml.padding_token_id"] == .uint32(2))
        #expect(exported.metadata["tokenizer.ggml.unknown_token_id"] == .uint32(0))
        #expect(exported.metadata["tokenizer.ggml.add_space_prefix"] == .bool(false))
    }
}
