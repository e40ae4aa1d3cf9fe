import Foundation
import QuenchConfig
import QuenchModel
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// `lora.use_rslora` (PEFT's name): read, written back, hashed only when true, and carried into the
/// adapters and the adapter_config.json training writes.
@Suite("Training configuration: lora.use_rslora")
struct RSLoRAConfigTests {
    let base = "data:\n  train: t.jsonl\n"

    func load(_ yaml: String) throws -> TrainingConfig { try TrainingConfig.load(yaml: yaml, file: "cfg.yaml") }

    @Test func defaultsToFalseAndIsReadWrittenBackAndRoundTrippedAsJSON() throws {
        #expect(try !load(base).lora.useRSLoRA)
        #expect(try load(base + "lora:\n  use_rslora: false\n") == load(base))
        let config = try load(base + "lora:\n  rank: 4\n  use_rslora: true\n")
        #expect(config.lora.useRSLoRA)
        let yaml = try config.yamlDocument()
        #expect(yaml.contains("use_rslora: true"))
        #expect(try load(yaml) == config)
        #expect(!(try load(base).yamlDocument()).contains("use_rslora"), "left out when false")
        for value in [config, try load(base)] {
            #expect(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(value)) == value)
        }
    }

    @Test func theHashChangesOnlyWhenItIsTrue() throws {
        let plain = try load(base)
        // Off, it is not encoded at all, so every hash made before the key existed stays the same.
        #expect(!String(decoding: try JSONEncoder().encode(plain.lora), as: UTF8.self).contains("use_rslora"))
        #expect(try load(base + "lora:\n  use_rslora: false\n").canonicalHash() == plain.canonicalHash())
        var explicitFalse = plain
        explicitFalse.lora = try JSONDecoder().decode(TrainingConfig.LoRASettings.self,
                                                      from: Data(#"{"rank": 8, "alpha": 16, "dropout": 0, "use_rslora": false}"#.utf8))
        #expect(explicitFalse.canonicalHash() == plain.canonicalHash(), "an explicit false hashes as the default")
        let rsLoRA = try load(base + "lora:\n  use_rslora: true\n")
        #expect(rsLoRA.canonicalHash() != plain.canonicalHash())
        var full = rsLoRA
        full.method = .full
        var fullPlain = plain
        fullPlain.method = .full
        #expect(full.canonicalHash() == fullPlain.canonicalHash(), "adapter settings are not used by full fine-tuning")
    }

    @Test func aValueThatIsNotABooleanIsRefusedNamingTheKey() throws {
        #expect(throws: TrainingConfigError.file(.invalid(file: "cfg.yaml", problems: [
            ConfigProblem(file: "cfg.yaml", line: 4, column: 15, key: "lora.use_rslora",
                          kind: .wrongType(expected: "true or false", found: "'sometimes'")),
        ]))) {
            try load(base + "lora:\n  use_rslora: sometimes\n")
        }
    }

    @Test func theAdaptersAndTheirAdapterConfigCarryIt() throws {
        let folder = try TemporaryDirectory("rslora-config")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let settings = try load(base + "lora:\n  rank: 4\n  alpha: 8\n  use_rslora: true\n").lora
        let adapters = try settings.adapters(on: model, seed: 0)
        #expect(adapters.useRSLoRA && adapters.targets.allSatisfy { adapters.scale($0) == 4 })
        #expect(try !load(base + "lora:\n  rank: 4\n  alpha: 8\n").lora.adapters(on: model, seed: 0).useRSLoRA)
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: "tiny-llama", to: folder.url)
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.url.appendingPathComponent(PEFTAdapterFormat.configFile))) as? [String: Any]
        #expect(json?["use_rslora"] as? Bool == true)
    }
}
