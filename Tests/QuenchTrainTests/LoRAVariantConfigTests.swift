import Foundation
import QuenchConfig
import QuenchModel
import QuenchTensor
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// `lora.use_dora`, `lora.rank_pattern` and `lora.alpha_pattern` (PEFT's names): read, written back,
/// hashed only when set, refused by name when Quench cannot honour them, and carried into the adapters,
/// their memory plan, their training and the adapter_config.json training writes.
@Suite("Training configuration: lora.use_dora, lora.rank_pattern, lora.alpha_pattern")
struct LoRAVariantConfigTests {
    let base = "data:\n  train: t.jsonl\n"
    let variant = """
        lora:
          rank: 4
          alpha: 8
          use_dora: true
          rank_pattern:
            v_proj: 2
            model.layers.1.mlp.down_proj: 6
          alpha_pattern:
            q_proj: 16
          targets: [q, v, down]

        """

    func load(_ yaml: String) throws -> TrainingConfig { try TrainingConfig.load(yaml: yaml, file: "cfg.yaml") }

    @Test func theyAreReadWrittenBackAndRoundTrippedAsJSON() throws {
        let plain = try load(base)
        #expect(!plain.lora.useDoRA && plain.lora.rankPattern.isEmpty && plain.lora.alphaPattern.isEmpty)
        let config = try load(base + variant)
        #expect(config.lora.useDoRA)
        #expect(config.lora.rankPattern == ["v_proj": 2, "model.layers.1.mlp.down_proj": 6])
        #expect(config.lora.alphaPattern == ["q_proj": 16])
        let yaml = try config.yamlDocument()
        #expect(yaml.contains("use_dora: true") && yaml.contains("rank_pattern:") && yaml.contains("alpha_pattern:"))
        #expect(try load(yaml) == config)
        let plainYAML = try plain.yamlDocument()
        for key in ["use_dora", "rank_pattern", "alpha_pattern"] { #expect(!plainYAML.contains(key), "\(key) left out") }
        for value in [config, plain] {
            #expect(try JSONDecoder().decode(TrainingConfig.self, from: JSONEncoder().encode(value)) == value)
        }
    }

    @Test func theHashChangesOnlyWhenTheyAreSet() throws {
        let plain = try load(base)
        let encoded = String(decoding: try JSONEncoder().encode(plain.lora), as: UTF8.self)
        for key in ["use_dora", "rank_pattern", "alpha_pattern"] { #expect(!encoded.contains(key)) }
        #expect(try load(base + "lora:\n  use_dora: false\n  rank_pattern: {}\n  alpha_pattern: {}\n").canonicalHash()
            == plain.canonicalHash())
        var explicit = plain
        explicit.lora = try JSONDecoder().decode(TrainingConfig.LoRASettings.self, from: Data(
            #"{"rank": 8, "alpha": 16, "dropout": 0, "use_dora": false, "rank_pattern": {}, "alpha_pattern": {}}"#.utf8))
        #expect(explicit.canonicalHash() == plain.canonicalHash(), "explicit defaults hash as the default")
        for change in ["lora:\n  use_dora: true\n", "lora:\n  rank_pattern:\n    q_proj: 2\n",
                       "lora:\n  alpha_pattern:\n    q_proj: 2\n"] {
            #expect(try load(base + change).canonicalHash() != plain.canonicalHash(), "\(change)")
        }
    }

    @Test func doraWithDropoutIsRefusedNamingBothKeys() throws {
        #expect(throws: TrainingConfigError.file(.invalid(file: "cfg.yaml", problems: [
            ConfigProblem(file: "cfg.yaml", line: 4, column: 12, key: "lora.dropout", kind: .invalidValue(
                requirement: "must be 0 with lora.use_dora: true (DoRA with adapter dropout is not implemented)",
                found: "0.1")),
        ]))) {
            try load(base + "lora:\n  dropout: 0.1\n  use_dora: true\n")
        }
    }

    @Test func patternKeysAndValuesAreCheckedNamingTheKey() throws {
        let error = try #require(throws: TrainingConfigError.self) {
            try load(base + "lora:\n  rank_pattern:\n    \"^q_proj\": 2\n    v_proj: 0\n  alpha_pattern:\n    k_proj: many\n")
        }
        guard case .file(.invalid(_, let problems)) = error else { Issue.record("\(error)"); return }
        #expect(problems.map(\.key) == ["lora.rank_pattern", "lora.rank_pattern.v_proj", "lora.alpha_pattern.k_proj"])
        guard case .refused(let reason) = problems.first?.kind else { Issue.record("\(problems)"); return }
        #expect(reason.hasPrefix("key '^q_proj' holds '^'"), "\(reason)")
        #expect(throws: TrainingConfigError.self) { try load(base + "lora:\n  rank_pattern: [q_proj]\n") }
    }

    @Test func theAdaptersTheirMemoryAndTheirAdapterConfigCarryThem() throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let config = try load(base + variant)
        let adapters = try config.lora.adapters(on: model, seed: 0)
        #expect(adapters.useDoRA && adapters.targets.map(\.rank) == [4, 2, 4, 4, 2, 6])
        #expect(adapters.targets.map(\.alpha) == [16, 8, 8, 16, 8, 8])
        #expect(adapters.weights.contains("layers.0.q.lora_magnitude"))
        let planned = try #require(LoRAAdapters.floats(targets: adapters.targets, useDoRA: true))
        #expect(planned == adapters.weights.flat.count)
        var plainConfig = config
        plainConfig.lora.useDoRA = false
        let withDoRA = try #require(try TrainingMemory.budget(model: model, config: config, time: 16, available: 1 << 40).total)
        let without = try #require(try TrainingMemory.budget(model: model, config: plainConfig, time: 16, available: 1 << 40).total)
        #expect(withDoRA > without, "the magnitudes, their moments and DoRA's workspace are planned")

        let folder = try TemporaryDirectory("dora-config")
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: "tiny-llama", to: folder.url)
        let json = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.url.appendingPathComponent(PEFTAdapterFormat.configFile))) as? [String: Any])
        #expect(json["use_dora"] as? Bool == true)
        #expect(json["rank_pattern"] as? [String: Int] == ["v_proj": 2, "model.layers.1.mlp.down_proj": 6])
        #expect(json["alpha_pattern"] as? [String: Double] == ["q_proj": 16])
    }

    @Test(arguments: [("rank_pattern", "q", "matches none of the adapted modules"),
                      ("alpha_pattern", "gate_proj", "matches none of the adapted modules")])
    func aPatternKeyMatchingNoAdaptedModuleIsRefused(_ pattern: String, _ key: String, _ reason: String) throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let config = try load(base + "lora:\n  targets: [q, v]\n  \(pattern):\n    \(key): 2\n")
        let error = try #require(throws: TrainingConfigError.self) { try config.lora.adapters(on: model, seed: 0) }
        guard case .loraPattern(let name, let found, let message) = error else { Issue.record("\(error)"); return }
        #expect(name == pattern && found == key && message.hasPrefix(reason), "\(error)")
        #expect(error.description.hasPrefix("lora.\(pattern): key '\(key)' "))
    }

    @Test func aTrainingStepMovesTheMagnitudes() throws {
        let directory = SharedFixtures.url("tiny-llama")
        let model = try ModelLoader.load(huggingFaceDirectory: directory)
        let state = try TrainableState(model: model, config: load(base + variant))
        let adapters = try #require(state.adapters)
        #expect(state.weights === adapters.weights)
        let batch = try TokenBatch.reference(of: directory)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true,
                                      adapters: adapters)
        let magnitude = try adapters.weights.tensor("layers.1.down.lora_magnitude")
        let before = magnitude.toArray()
        var losses: [Double] = []
        for _ in 0..<3 {
            state.gradients.flat.zero()
            losses.append(try #require(try model.forward(batch, workspace: workspace)).meanLoss)
            try model.backward(batch, workspace: workspace, gradients: state.modelGradients)
            state.optimizer.update(parameters: state.weights, gradients: state.gradients, learningRate: 1e-2)
        }
        #expect(magnitude.toArray() != before, "the magnitudes train")
        #expect(losses[2] < losses[0], "losses \(losses)")
    }
}
