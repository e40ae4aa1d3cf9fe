import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// PEFT's `layers_to_transform` and `layers_pattern` in `adapter_config.json`, written and read.
@Suite struct PEFTLayersTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quench-peft-layers-\(UUID().uuidString)")

    var configURL: URL { directory.appendingPathComponent(PEFTAdapterFormat.configFile) }

    func writtenConfig() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
    }

    /// Rewrites the adapter config with `change` applied.
    func editConfig(_ change: (inout [String: Any]) -> Void) throws {
        var json = try writtenConfig()
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: configURL)
    }

    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func layersToTransformRoundTrips(_ folder: String) throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(folder))
        let top = model.config.layers - 1
        let adapters = try LoRALayersTests.adapters(model, layers: [top])
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: folder, to: directory)
        let json = try writtenConfig()
        #expect(json["layers_to_transform"] as? [Int] == [top])
        #expect(json["layers_pattern"] is NSNull, "null, as PEFT writes it")
        let reread = try PEFTAdapterFormat.read(from: directory, model: model)
        #expect(reread.targets == adapters.targets)
        #expect(reread.weights.flat.toArray() == adapters.weights.flat.toArray())

        // A single index, and the model's own layer list name (PEFT's spelling), read the same.
        let pattern = PEFTLayerSelection.modulePattern(model)
        for (indices, layersPattern) in [(top, pattern), (top, ""), ([top], [pattern])] as [(Any, Any)] {
            try editConfig { $0["layers_to_transform"] = indices; $0["layers_pattern"] = layersPattern }
            #expect(try PEFTAdapterFormat.read(from: directory, model: model).targets == adapters.targets)
        }

        // Adapters on every layer write both keys null, as PEFT does (every LoraConfig key is written).
        try PEFTAdapterFormat.write(LoRALayersTests.adapters(model, layers: nil), model: model, baseModel: folder,
                                    to: directory)
        let all = try writtenConfig()
        #expect(all["layers_to_transform"] is NSNull && all["layers_pattern"] is NSNull)
    }

    @Test(arguments: ["tiny-llama", "tiny-gpt2"])
    func theLayerPatternIsTheHuggingFaceListOfLayers(_ folder: String) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url(folder))
        let pattern = PEFTLayerSelection.modulePattern(model)
        for spec in model.specs {
            guard let layer = CausalLM.layerIndex(of: spec.name) else { continue }
            #expect(spec.huggingFaceName.contains(".\(pattern).\(layer)."), "\(spec.huggingFaceName)")
        }
    }

    @Test func anAdapterTheConfigLeavesOutIsRefusedNamingTheTensor() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        try PEFTAdapterFormat.write(LoRALayersTests.adapters(model, layers: nil), model: model, baseModel: "tiny",
                                    to: directory)
        try editConfig { $0["layers_to_transform"] = [1] }
        let error = try #require(throws: ModelError.self) { try PEFTAdapterFormat.read(from: directory, model: model) }
        guard case .invalidValue(let file, let tensor, let reason) = error else { Issue.record("\(error)"); return }
        #expect(file == directory.appendingPathComponent(PEFTAdapterFormat.weightsFile).path)
        #expect(tensor.hasPrefix("base_model.model.model.layers.0.") && tensor.hasSuffix(".weight"), "\(tensor)")
        #expect(reason == "is not an adapter of target_modules on the layers [1] that adapter_config.json's layers_to_transform selects")
    }

    @Test func aMissingAdapterOfASelectedLayerIsRefusedNamingTheTensor() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        try PEFTAdapterFormat.write(LoRALayersTests.adapters(model, layers: [1]), model: model, baseModel: "tiny",
                                    to: directory)
        try editConfig { $0["layers_to_transform"] = [0, 1] }
        let error = try #require(throws: SafetensorsError.self) { try PEFTAdapterFormat.read(from: directory, model: model) }
        #expect("\(error)".contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"), "\(error)")
    }

    @Test("unsupported layers_pattern and layers_to_transform values are refused naming the key", arguments: [
        ("layers_pattern", #""blocks""#, "'blocks' is not the module list of this llama model's layers; Quench reads 'layers' or null"),
        ("layers_pattern", #"["layers", "h"]"#, "'h' is not the module list of this llama model's layers; Quench reads 'layers' or null"),
        ("layers_to_transform", "[1, 2]", "layer 2 does not exist; the model has 2 layers (0...1)"),
        ("layers_to_transform", "-1", "layer -1 does not exist; the model has 2 layers (0...1)"),
    ])
    func unsupportedValues(_ key: String, _ json: String, _ reason: String) throws {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        try PEFTAdapterFormat.write(LoRALayersTests.adapters(model, layers: [1]), model: model, baseModel: "tiny",
                                    to: directory)
        try editConfig { $0[key] = value }
        #expect(throws: ModelError.invalidValue(file: configURL.path, key: key, reason: reason)) {
            try PEFTAdapterFormat.read(from: directory, model: model)
        }
    }

    @Test("layers_pattern without layers_to_transform, and values of the wrong type, are refused")
    func wrongTypesAndALonePattern() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        try PEFTAdapterFormat.write(LoRALayersTests.adapters(model, layers: nil), model: model, baseModel: "tiny",
                                    to: directory)
        try editConfig { $0["layers_pattern"] = "layers" }
        #expect(throws: ModelError.invalidValue(file: configURL.path, key: "layers_pattern",
                                                reason: "is set without layers_to_transform, which PEFT refuses too")) {
            try PEFTAdapterFormat.read(from: directory, model: model)
        }
        let integers = "an integer or a list of integers"
        for (value, expected) in [("1" as Any, integers), (true as Any, integers), (1.5 as Any, integers), (["a"] as Any, integers)] {
            try editConfig { $0["layers_pattern"] = NSNull(); $0["layers_to_transform"] = value }
            #expect(throws: ModelError.wrongType(file: configURL.path, key: "layers_to_transform", expected: expected)) {
                try PEFTAdapterFormat.read(from: directory, model: model)
            }
        }
        try editConfig { $0["layers_to_transform"] = [1]; $0["layers_pattern"] = 3 }
        #expect(throws: ModelError.wrongType(file: configURL.path, key: "layers_pattern",
                                             expected: "a string or a list of strings")) {
            try PEFTAdapterFormat.read(from: directory, model: model)
        }
    }
}
