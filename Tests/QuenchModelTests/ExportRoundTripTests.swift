import Foundation
import QuenchModel
import QuenchTensor
import Testing
import QuenchTestSupport

/// Models written by Quench read back identically: GGUF F32 bit-exact, F16 within half precision,
/// Hugging Face directories bit-exact with the same tokenizer.
@Suite struct ExportRoundTripTests {
    func expectSameParameters(_ a: CausalLM, _ b: CausalLM, tolerance: Float = 0, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(a.config == b.config, sourceLocation: sourceLocation)
        for spec in a.specs {
            let x = try a.parameter(spec.name).storage, y = try b.parameter(spec.name).storage
            var firstDifference: Int?
            for i in 0..<x.count where tolerance == 0 ? x[i].bitPattern != y[i].bitPattern
                : abs(x[i] - y[i]) > tolerance * max(1, abs(x[i])) {
                firstDifference = i
                break
            }
            #expect(firstDifference == nil, "\(spec.name) differs at \(firstDifference ?? 0)", sourceLocation: sourceLocation)
        }
    }

    @Test(.requiresDemoModel) func smolLM2SurvivesGGUFAndHuggingFaceExport() throws {
        let url = DemoModelFile.url
        let original = try ModelBundle.open(url)
        let folder = try TemporaryDirectory.create("export")
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = "<|im_start|>user\nConvert 25 degrees Celsius to Fahrenheit.<|im_end|>\n  0 1234"
        let expectedIDs = try #require(original.tokenizer).encode(text)

        let f32 = folder.appendingPathComponent("smollm2-f32.gguf")
        try GGUFExporter.write(original, to: f32, type: .f32)
        let reloaded = try ModelBundle.open(f32)
        try expectSameParameters(original.model, reloaded.model)
        #expect(try #require(reloaded.tokenizer).encode(text) == expectedIDs)
        #expect(reloaded.chatTemplate == original.chatTemplate)
        #expect(throws: ExportError.self) { try GGUFExporter.write(original, to: f32, type: .f32) }

        let f16 = folder.appendingPathComponent("smollm2-f16.gguf")
        try GGUFExporter.write(original, to: f16, type: .f16)
        try expectSameParameters(original.model, try ModelBundle.open(f16).model, tolerance: 1e-3)

        let directory = folder.appendingPathComponent("smollm2-hf")
        try HuggingFaceExporter.write(original, to: directory)
        let imported = try ModelBundle.open(directory)
        try expectSameParameters(original.model, imported.model)
        #expect(try #require(imported.tokenizer).encode(text) == expectedIDs)
        #expect(imported.chatTemplate == original.chatTemplate)
        #expect(imported.tokenizer?.eosTokenID == original.tokenizer?.eosTokenID)
    }

    @Test(arguments: ["tiny-gpt2", "tiny-llama"])
    func tinyModelsSurviveHuggingFaceExport(_ folder: String) throws {
        let original = try ModelBundle.open(SharedFixtures.url(folder))
        let directory = try TemporaryDirectory.create("export").appendingPathComponent("export")
        defer { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }
        try HuggingFaceExporter.write(original, to: directory)
        try expectSameParameters(original.model, try ModelBundle.open(directory).model)
        let f32 = directory.deletingLastPathComponent().appendingPathComponent("model.gguf")
        try GGUFExporter.write(original, to: f32, type: .f32)
        try expectSameParameters(original.model, try ModelBundle.open(f32).model)
    }
}
