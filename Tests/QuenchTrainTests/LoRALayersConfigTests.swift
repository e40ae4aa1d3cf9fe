import Foundation
import QuenchModel
import Testing
@testable import QuenchTrain
@testable import QuenchConfig
import QuenchTestSupport

/// `lora.layers`: read, written, hashed, checked against the model, and carried into the adapters.
@Suite("Training configuration: lora.layers")
struct LoRALayersConfigTests {
    let base = "data:\n  train: t.jsonl\n"

    func load(_ yaml: String) throws -> TrainingConfig { try TrainingConfig.load(yaml: yaml, file: "cfg.yaml") }

    @Test func readWrittenBackAndHashed() throws {
        let config = try load(base + "lora:\n  rank: 4\n  layers: 2\n")
        #expect(config.lora.layers == 2)
        #expect(try load(config.yamlDocument()) == config)
        let plain = try load(base + "lora:\n  rank: 4\n")
        #expect(plain.lora.layers == nil)
        #expect(!(try plain.yamlDocument()).contains("layers"))
        #expect(config.canonicalHash() != plain.canonicalHash())
        // Absent, it is not encoded at all, so every hash made before the key existed stays the same.
        let encoded = try JSONEncoder().encode(plain.lora)
        #expect(!String(decoding: encoded, as: UTF8.self).contains("layers"))
    }

    @Test("zero, negative and non-integer lora.layers are refused naming the key", arguments: [
        ("0", ConfigProblem.Kind.invalidValue(requirement: "must be at least 1", found: "0")),
        ("-3", ConfigProblem.Kind.invalidValue(requirement: "must be at least 1", found: "-3")),
        ("two", ConfigProblem.Kind.wrongType(expected: "an integer", found: "'two'")),
        ("1.5", ConfigProblem.Kind.wrongType(expected: "an integer", found: "'1.5'")),
    ])
    func refusals(_ value: String, _ kind: ConfigProblem.Kind) throws {
        #expect(throws: TrainingConfigError.file(.invalid(file: "cfg.yaml", problems: [
            ConfigProblem(file: "cfg.yaml", line: 4, column: 11, key: "lora.layers", kind: kind),
        ]))) {
            try load(base + "lora:\n  layers: \(value)\n")
        }
    }

    @Test func theTopLayersOfTheModelAreAdapted() throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let depth = model.config.layers
        var lora = TrainingConfig.LoRASettings(rank: 4, targets: ["q", "down"], layers: 1)
        #expect(try lora.adapterLayers(in: model) == [depth - 1])
        let targets = try lora.adapterTargets(in: model)
        #expect(targets.map(\.parameter) == ["layers.\(depth - 1).q", "layers.\(depth - 1).down"])
        let adapters = try lora.adapters(on: model, seed: 0)
        #expect(adapters.layers == [depth - 1] && adapters.targets == targets)
        lora.layers = depth
        #expect(try lora.adapterLayers(in: model) == Array(0..<depth))
        lora.layers = nil
        #expect(try lora.adapterLayers(in: model) == nil)
        #expect(try lora.adapters(on: model, seed: 0).layers == Array(0..<depth))
    }

    @Test func moreLayersThanTheModelHasIsRefusedOnceTheModelIsKnown() throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let lora = TrainingConfig.LoRASettings(layers: 3)
        let expected = TrainingConfigError.loraLayersExceedModel(requested: 3, modelLayers: 2)
        #expect(throws: expected) { try lora.adapterLayers(in: model) }
        #expect(throws: expected) { try lora.adapters(on: model, seed: 0) }
        #expect(expected.description == "lora.layers: 3 is more than the 2 layers of the model (checked once it is loaded); "
                + "give at most 2, or leave it out to adapt every layer")
    }

    /// A run on SmolLM2 (30 layers) with `lora.layers: 2` trains adapters on layers 28 and 29 only and
    /// says so in adapter_config.json; `lora.layers: 31` is refused once the model is loaded.
    @Test(.requiresDemoModel) func aTrainingRunAdaptsTheTopLayersAndWritesLayersToTransform() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("quench-lora-layers-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let data = folder.appendingPathComponent("train.jsonl")
        try Data(#"{"text": "Water boils at one hundred degrees Celsius at sea level and freezes at zero."}"#.utf8)
            .write(to: data)
        var config = TrainingConfig(
            output: folder.appendingPathComponent("run").path,
            lora: .init(rank: 4, layers: 2), data: .init(train: data.path, format: .text, maxSequenceLength: 16),
            batchSize: 1, maxSteps: 1)
        let bundle = try ModelBundle.open(DemoModelFile.url)
        _ = try Trainer(config: config, bundle: bundle, quenchVersion: "test").run()
        let adapter = folder.appendingPathComponent("run/adapter")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: adapter.appendingPathComponent("adapter_config.json")))
        #expect((json as? [String: Any])?["layers_to_transform"] as? [Int] == [28, 29])
        let read = try PEFTAdapterFormat.read(from: adapter, model: bundle.model)
        #expect(read.layers == [28, 29] && read.targets.count == 2 * 7)
        #expect(read.weights.flat.toArray().contains { $0 != 0 })

        config.lora.layers = 31
        config.output = folder.appendingPathComponent("too-deep").path
        #expect(throws: TrainingConfigError.loraLayersExceedModel(requested: 31, modelLayers: 30)) {
            try Trainer(config: config, bundle: bundle, quenchVersion: "test").run()
        }
    }
}
