import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// PEFT's `rank_pattern` and `alpha_pattern` against PEFT 0.21.2: an adapter PEFT saved with both
/// (`Resources/peft-patterns`, made by scripts/make-peft-variant-reference.py) evaluated and merged to
/// PEFT's numbers, PEFT's key matching, and the keys Quench cannot match as PEFT does refused by name.
@Suite struct PEFTPatternTests {
    typealias Variant = PEFTVariantTests

    @Test func aPatternAdapterSavedByPEFTComputesPEFTsLogitsLossAndMergedModel() throws {
        let reference = try Variant.Reference("peft-patterns")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try PEFTAdapterFormat.read(from: reference.directory, model: model)
        // rank_pattern {v_proj: 2, model.layers.1.mlp.down_proj: 6}, alpha_pattern {q_proj: 16, layers.0.mlp.down_proj: 2}
        let expected: [(String, Int, Float)] = [("layers.0.q", 4, 16), ("layers.0.v", 2, 8), ("layers.0.down", 4, 2),
                                                ("layers.1.q", 4, 16), ("layers.1.v", 2, 8), ("layers.1.down", 6, 8)]
        #expect(adapters.targets.map(\.parameter) == expected.map(\.0))
        #expect(adapters.targets.map(\.rank) == expected.map(\.1))
        #expect(adapters.targets.map(\.alpha) == expected.map(\.2))
        #expect(adapters.rank == 4 && adapters.alpha == 8)
        try Variant.expectPEFTsNumbers(adapters, on: model, reference)
    }

    @Test func withoutItsAlphaPatternTheAdapterComputesPEFTsOtherLoss() throws {
        let reference = try Variant.Reference("peft-patterns")
        let folder = try TemporaryDirectory("peft-no-alpha")
        let directory = try Variant.copy(reference.directory, into: folder.url) { $0["alpha_pattern"] = [String: Any]() }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        model.adapters = try PEFTAdapterFormat.read(from: directory, model: model)
        let loss = try Variant.run(model, reference.batch).loss, expected = try reference.loss("plain.loss")
        #expect(abs(loss - expected) < 1e-6, "loss \(loss) vs PEFT's \(expected)")
    }

    @Test func withoutItsRankPatternTheTensorShapesAreRefusedNamingTheTensor() throws {
        let reference = try Variant.Reference("peft-patterns")
        let folder = try TemporaryDirectory("peft-no-rank")
        let directory = try Variant.copy(reference.directory, into: folder.url) { $0["rank_pattern"] = nil }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        #expect(throws: ModelError.tensorShape(
            file: directory.appendingPathComponent(PEFTAdapterFormat.weightsFile).path,
            tensor: "base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight", expected: [4, 64], found: [2, 64])) {
            try PEFTAdapterFormat.read(from: directory, model: model)
        }
    }

    @Test(arguments: [
        ("q_proj", "model.layers.0.self_attn.q_proj", true),
        ("layers.0.self_attn.q_proj", "model.layers.0.self_attn.q_proj", true),
        ("model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.q_proj", true),
        ("0.self_attn.q_proj", "model.layers.10.self_attn.q_proj", false),
        ("proj", "model.layers.0.self_attn.q_proj", false),
        (".q_proj", "model.layers.0.self_attn.q_proj", false),
        ("layers.1.mlp", "xlayers.1.mlp", false),
        ("layers.1.mlp", "model.layersX1.mlp", true),  // '.' is a regex wildcard in PEFT
        ("c_proj", "transformer.h.0.attn.c_proj", true),
        ("attn.c_proj", "transformer.h.0.mlp.c_proj", false),
        ("", "model.q", false),
    ])
    func keysMatchAsPythonsRegexDoes(_ key: String, _ module: String, _ matches: Bool) {
        // Expected values from Python: bool(re.match(rf"(.*\.)?({key})$", module)), PEFT's get_pattern_key.
        #expect(LoRAPatterns.matches(key: key, module: module) == matches)
    }

    @Test(arguments: ["^model.layers.0.self_attn.q_proj", "q_proj|v_proj", ".*q_proj", "layers.[01].mlp.down_proj"])
    func aKeyThatNeedsARegexEngineIsRefusedNamingIt(_ key: String) throws {
        let reference = try Variant.Reference("peft-patterns")
        let folder = try TemporaryDirectory("peft-regex")
        let directory = try Variant.copy(reference.directory, into: folder.url) { $0["alpha_pattern"] = [key: 4] }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let error = try #require(throws: ModelError.self) { try PEFTAdapterFormat.read(from: directory, model: model) }
        guard case .invalidValue(_, let name, let reason) = error else { Issue.record("\(error)"); return }
        #expect(name == "alpha_pattern" && reason.hasPrefix("key '\(key)' holds '") && reason.contains("module names"),
                "\(reason)")
    }

    @Test func keysThatDisagreeOnAModuleAreRefusedNamingBoth() throws {
        let reference = try Variant.Reference("peft-patterns")
        let folder = try TemporaryDirectory("peft-ambiguous")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let directory = try Variant.copy(reference.directory, into: folder.url) {
            $0["alpha_pattern"] = ["q_proj": 16, "layers.0.self_attn.q_proj": 4]
        }
        let error = try #require(throws: ModelError.self) { try PEFTAdapterFormat.read(from: directory, model: model) }
        #expect(error == .invalidValue(
            file: directory.appendingPathComponent(PEFTAdapterFormat.configFile).path, key: "alpha_pattern",
            reason: "key 'q_proj' and key 'layers.0.self_attn.q_proj' both match module model.layers.0.self_attn.q_proj "
                + "with different values; PEFT takes whichever comes first in the file, which Quench does not rely on: "
                + "keep one key per module"))
        // Agreeing keys are no ambiguity.
        try Variant.editConfig(in: directory) { $0["alpha_pattern"] = ["q_proj": 16, "layers.0.self_attn.q_proj": 16] }
        #expect(try PEFTAdapterFormat.read(from: directory, model: model).targets.filter { $0.module == "q" }
            .allSatisfy { $0.alpha == 16 })
    }

    @Test(arguments: [("rank_pattern", #"{"v_proj": 0}"#, "key 'v_proj' has rank 0; a rank must be at least 1"),
                      ("alpha_pattern", #"{"v_proj": -1}"#, "key 'v_proj' has alpha -1.0; an alpha must be positive")])
    func impossibleValuesAreRefusedNamingTheKey(_ pattern: String, _ json: String, _ reason: String) throws {
        let folder = try TemporaryDirectory("peft-pattern-value")
        let file = try Self.configFile(in: folder, setting: pattern, to: json)
        #expect(throws: ModelError.invalidValue(file: file.path, key: pattern, reason: reason)) {
            try PEFTAdapterFormat.read(from: folder.url, model: ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama")))
        }
    }

    @Test(arguments: [("rank_pattern", #"{"v_proj": "two"}"#, "rank_pattern.v_proj", "a mapping of module names to integers"),
                      ("rank_pattern", #"{"v_proj": 2.5}"#, "rank_pattern.v_proj", "a mapping of module names to integers"),
                      ("alpha_pattern", #"["q_proj"]"#, "alpha_pattern", "a mapping of module names to numbers")])
    func valuesOfTheWrongTypeAreRefusedNamingTheKey(_ pattern: String, _ json: String, _ key: String, _ expected: String) throws {
        let folder = try TemporaryDirectory("peft-pattern-type")
        let file = try Self.configFile(in: folder, setting: pattern, to: json)
        #expect(throws: ModelError.wrongType(file: file.path, key: key, expected: expected)) {
            try PEFTAdapterFormat.read(from: folder.url, model: ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama")))
        }
    }

    /// The peft-patterns adapter copied into `folder` with `key` set to the JSON `json`: its adapter_config.json.
    static func configFile(in folder: TemporaryDirectory, setting key: String, to json: String) throws -> URL {
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let directory = try Variant.copy(try Variant.Reference("peft-patterns").directory, into: folder.url) { $0[key] = value }
        return directory.appendingPathComponent(PEFTAdapterFormat.configFile)
    }

    @Test func nullEmptyAndAbsentPatternsAndUseDoRAMeanPlainLoRA() throws {
        let reference = try Variant.Reference()
        let folder = try TemporaryDirectory("peft-plain-patterns")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        for plain in [NSNull(), [String: Any](), nil] as [Any?] {
            let directory = try Variant.copy(reference.directory, into: folder.url) {
                $0["rank_pattern"] = plain
                $0["alpha_pattern"] = plain
                $0["use_dora"] = plain is [String: Any] ? false : plain
            }
            let adapters = try PEFTAdapterFormat.read(from: directory, model: model)
            #expect(adapters.patterns.isEmpty && !adapters.useDoRA && adapters.targets.allSatisfy { $0.rank == 4 })
        }
    }

    @Test func patternsRoundTripThroughAdapterConfig() throws {
        let folder = try TemporaryDirectory("peft-patterns-write")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let patterns = LoRAPatterns(rank: ["v_proj": 2, "model.layers.1.mlp.down_proj": 6], alpha: ["q_proj": 12])
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8, modules: ["q", "v", "down"], patterns: patterns,
                                        seed: 1)
        for target in adapters.targets {
            let b = try adapters.matrices(target).b
            for i in 0..<b.count { b.storage[i] = Float(i % 5) * 0.01 - 0.02 }
        }
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: "tiny-llama", to: folder.url)
        let config = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.url.appendingPathComponent(PEFTAdapterFormat.configFile))) as? [String: Any])
        #expect(config["rank_pattern"] as? [String: Int] == ["v_proj": 2, "model.layers.1.mlp.down_proj": 6])
        #expect(config["alpha_pattern"] as? [String: Double] == ["q_proj": 12])
        let reread = try PEFTAdapterFormat.read(from: folder.url, model: model)
        #expect(reread.targets == adapters.targets && reread.patterns == patterns)
        #expect(reread.weights.flat.toArray() == adapters.weights.flat.toArray())
        #expect(reread.targets.map(\.rank) == [4, 2, 4, 4, 2, 6])
    }

    @Test func float32SettingsAreWrittenAsTheirShortestDecimal() throws {
        let folder = try TemporaryDirectory("peft-patterns-decimal")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 0.3, dropout: 0.1, modules: ["q"],
                                        patterns: LoRAPatterns(alpha: ["q_proj": 0.1]), seed: 1)
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: "tiny-llama", to: folder.url)
        let text = try String(contentsOf: folder.url.appendingPathComponent(PEFTAdapterFormat.configFile), encoding: .utf8)
        #expect(text.contains("\"q_proj\" : 0.1\n") && text.contains("\"lora_alpha\" : 0.3,") && text.contains("\"lora_dropout\" : 0.1,"))
        #expect(!text.contains("0000000"), "float32 widened to double: \(text)")
        #expect(try PEFTAdapterFormat.read(from: folder.url, model: model).targets.allSatisfy { $0.alpha == 0.1 })
    }
}
