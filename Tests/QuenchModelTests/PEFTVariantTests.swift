import Foundation
import QuenchTensor
import Testing
@testable import QuenchModel
import QuenchTestSupport

/// PEFT adapter options against PEFT itself: an rsLoRA adapter that PEFT 0.21.2 saved
/// (`Resources/peft-rslora`, made by scripts/make-peft-variant-reference.py) read, evaluated and merged
/// to PEFT's numbers, and every option Quench does not implement refused naming its key. Patterns and
/// DoRA: `PEFTPatternTests`, `PEFTDoRATests`.
@Suite struct PEFTVariantTests {
    /// The adapter directory PEFT saved, its reference numbers and the fixture batch they were computed on.
    typealias Reference = ReferenceResource

    /// Logits (N·V) and mean loss of `model`, with its adapters if it has any, on `batch`.
    static func run(_ model: CausalLM, _ batch: TokenBatch) throws -> (logits: [Float], loss: Double) {
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: false,
                                      adapters: model.adapters)
        let result = try #require(try model.forward(batch, workspace: workspace))
        let logits = try Tensor(zeros: [batch.batch * batch.time, model.config.vocabularySize])
        try model.logits(workspace: workspace, into: logits)
        return (logits.toArray(), result.meanLoss)
    }

    /// The largest |a − b| (infinity when the counts differ).
    static func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    /// A copy of `source`'s adapter files in `folder`, with `change` applied to its adapter_config.json.
    static func copy(_ source: URL, into folder: URL, _ change: (inout [String: Any]) -> Void = { _ in }) throws -> URL {
        let fileManager = FileManager.default
        for name in [PEFTAdapterFormat.weightsFile, PEFTAdapterFormat.configFile] {
            try? fileManager.removeItem(at: folder.appendingPathComponent(name))
            try fileManager.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        try editConfig(in: folder, change)
        return folder
    }

    /// Rewrites the adapter_config.json of `folder` with `change` applied.
    static func editConfig(in folder: URL, _ change: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent(PEFTAdapterFormat.configFile)
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        change(&json)
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: url)
    }

    @Test func anRSLoRAAdapterSavedByPEFTComputesPEFTsLogitsLossAndMergedModel() throws {
        let reference = try Reference()
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try PEFTAdapterFormat.read(from: reference.directory, model: model)
        #expect(adapters.useRSLoRA && adapters.rank == 4 && adapters.alpha == 8)
        #expect(adapters.targets.allSatisfy { adapters.scale($0) == 4 }, "alpha/√r = 8/2, not alpha/r = 2")
        #expect(adapters.targets.map(\.parameter) == ["layers.0.q", "layers.0.v", "layers.0.down",
                                                       "layers.1.q", "layers.1.v", "layers.1.down"])
        try Self.expectPEFTsNumbers(adapters, on: model, reference)
    }

    /// `adapters` on `model` compute the reference's logits (within 1e-5) and loss (1e-6), which the
    /// variant's option turned off (`plain.loss`) misses by more than 1e-3, and once merged its merged
    /// logits (1e-5).
    static func expectPEFTsNumbers(_ adapters: LoRAAdapters, on model: CausalLM, _ reference: Reference) throws {
        model.adapters = adapters
        let adapted = try run(model, reference.batch)
        let logitGap = largestDifference(adapted.logits, try reference.file.floats("logits"))
        #expect(logitGap < 1e-5, "largest logit difference \(logitGap)")
        let expectedLoss = try reference.loss("loss"), plainLoss = try reference.loss("plain.loss")
        #expect(abs(adapted.loss - expectedLoss) < 1e-6, "loss \(adapted.loss) vs PEFT's \(expectedLoss)")
        #expect(abs(plainLoss - expectedLoss) > 1e-3, "ignoring the option would give \(plainLoss)")

        try adapters.merge(into: model)
        #expect(model.adapters == nil)
        let merged = try run(model, reference.batch)
        let mergedGap = largestDifference(merged.logits, try reference.file.floats("merged.logits"))
        #expect(mergedGap < 1e-5, "largest merged logit difference \(mergedGap)")
    }

    @Test func theSameWeightsWithoutRSLoRAComputePEFTsPlainLoRA() throws {
        let reference = try Reference()
        let folder = try TemporaryDirectory("peft-plain")
        let plainDirectory = try Self.copy(reference.directory, into: folder.url) { $0["use_rslora"] = false }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try PEFTAdapterFormat.read(from: plainDirectory, model: model)
        #expect(!adapters.useRSLoRA && adapters.targets.allSatisfy { adapters.scale($0) == 2 })
        model.adapters = adapters
        let plain = try Self.run(model, reference.batch)
        let plainLoss = try reference.loss("plain.loss"), rsLoRALoss = try reference.loss("loss")
        #expect(abs(plain.loss - plainLoss) < 1e-6, "loss \(plain.loss) vs PEFT's \(plainLoss)")
        #expect(Self.largestDifference(plain.logits, try reference.file.floats("plain.logits")) < 1e-5)
        // The two scales are far apart at this tolerance, so reading use_rslora wrong fails the test above.
        #expect(abs(plainLoss - rsLoRALoss) > 1e-3, "plain \(plainLoss) vs rsLoRA \(rsLoRALoss)")

        // An absent or null use_rslora is plain LoRA too, as in PEFT.
        for value in [nil, NSNull()] as [Any?] {
            try Self.editConfig(in: plainDirectory) { $0["use_rslora"] = value }
            #expect(try !PEFTAdapterFormat.read(from: plainDirectory, model: model).useRSLoRA)
        }
    }

    @Test(arguments: [true, false])
    func useRSLoRARoundTripsThroughAdapterConfig(_ useRSLoRA: Bool) throws {
        let folder = try TemporaryDirectory("peft-rslora")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8, useRSLoRA: useRSLoRA, modules: ["q", "v"], seed: 1)
        #expect(adapters.targets.allSatisfy { adapters.scale($0) == (useRSLoRA ? 4 : 2) })
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: "tiny-llama", to: folder.url)
        let config = try JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.url.appendingPathComponent(PEFTAdapterFormat.configFile))) as? [String: Any]
        #expect(config?["use_rslora"] as? Bool == useRSLoRA)
        let reread = try PEFTAdapterFormat.read(from: folder.url, model: model)
        #expect(reread.useRSLoRA == useRSLoRA && reread.targets.map(reread.scale) == adapters.targets.map(adapters.scale))
        #expect(reread.weights.flat.toArray() == adapters.weights.flat.toArray())
    }

    @Test func theWrittenAdapterConfigIsTheOnePEFTWritesForTheSameAdapter() throws {
        // The same settings as PEFT's saved peft-rslora adapter: every LoraConfig key, every value equal
        // (target_modules is a set in PEFT, written in any order).
        let reference = try Reference()
        let folder = try TemporaryDirectory("peft-full-config")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let adapters = try LoRAAdapters(model: model, rank: 4, alpha: 8, useRSLoRA: true, modules: ["q", "v", "down"], seed: 0)
        try PEFTAdapterFormat.write(adapters, model: model, baseModel: "tiny-llama", to: folder.url)
        func config(_ directory: URL) throws -> NSDictionary {
            let url = directory.appendingPathComponent(PEFTAdapterFormat.configFile)
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            json["target_modules"] = (json["target_modules"] as? [String])?.sorted()
            return json as NSDictionary
        }
        let written = try config(folder.url), peft = try config(reference.directory)
        #expect(Set(written.allKeys.compactMap { $0 as? String }) == Set(peft.allKeys.compactMap { $0 as? String }))
        for key in peft.allKeys.compactMap({ $0 as? String }).sorted() {
            #expect((written[key] as? NSObject)?.isEqual(peft[key]) == true,
                    "\(key): \(String(describing: written[key])) vs PEFT's \(String(describing: peft[key]))")
        }
    }

    @Test func rsLoRATrainsAsPlainLoRAAtTheSameScale() throws {
        // rsLoRA with alpha 8 at rank 4 and plain LoRA with alpha 16 both scale by 4: the forward and
        // backward passes (which take the scale from `scale(_:)` alone) must agree bit for bit.
        let reference = try Reference()
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let frozen = try ParameterGradients(model: model, trainable: [])
        var passes: [LoRALayersTests.Pass] = []
        for (alpha, useRSLoRA) in [(Float(8), true), (16, false)] {
            let adapters = try LoRAAdapters(model: model, rank: 4, alpha: alpha, useRSLoRA: useRSLoRA,
                                            modules: ["q", "v", "down"], seed: 2)
            for target in adapters.targets {
                let b = try adapters.matrices(target).b
                for i in 0..<b.count { b.storage[i] = Float(i % 5) * 0.02 - 0.04 }
            }
            model.adapters = adapters
            let workspace = try Workspace(config: model.config, batch: reference.batch.batch, time: reference.batch.time,
                                          training: true, adapters: adapters)
            passes.append(try LoRALayersTests.pass(model, reference.batch, workspace, frozen))
        }
        #expect(passes[0].loss == passes[1].loss)
        #expect(LoRALayersTests.same(passes[0].adapterGradients, passes[1].adapterGradients))
        #expect(passes[0].adapterGradients.contains { $0 != 0 })
    }

    @Test func fanInFanOutIsReadAsPEFTSetsItFromTheLayerType() throws {
        // PEFT turns fan_in_fan_out off for nn.Linear whatever the file says (with a warning), so the
        // adapter computes what it computed with false.
        let reference = try Reference()
        let folder = try TemporaryDirectory("peft-fan-in")
        let directory = try Self.copy(reference.directory, into: folder.url) { $0["fan_in_fan_out"] = true }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        model.adapters = try PEFTAdapterFormat.read(from: directory, model: model)
        let loss = try Self.run(model, reference.batch).loss, expected = try reference.loss("loss")
        #expect(abs(loss - expected) < 1e-6, "loss \(loss) vs PEFT's \(expected)")
    }

    /// An option set in adapter_config.json, and what the refusal must say after "is <value>: ".
    struct Refusal: Sendable, CustomStringConvertible {
        let key: String
        let json: String
        let feature: String
        var description: String { "\(key): \(json)" }
    }

    @Test("options Quench does not implement are refused naming the key", arguments: [
        Refusal(key: "peft_type", json: #""LOHA""#, feature: "an adapter type other than LoRA"),
        Refusal(key: "modules_to_save", json: #"["lm_head"]"#, feature: "whole modules trained and saved beside the adapters"),
        Refusal(key: "bias", json: #""all""#, feature: "trained biases of the base model"),
        Refusal(key: "bias", json: #""lora_only""#, feature: "trained biases of the base model"),
        Refusal(key: "lora_bias", json: "true", feature: "a bias on lora_B"),
        Refusal(key: "target_parameters", json: #"["mlp.experts.down_proj"]"#,
                feature: "LoRA on parameters instead of linear modules"),
        Refusal(key: "exclude_modules", json: #"["q_proj"]"#, feature: "modules excluded from target_modules"),
        Refusal(key: "layer_replication", json: "[[0, 2], [1, 2]]", feature: "replicated decoder layers"),
        Refusal(key: "trainable_token_indices", json: "[3, 4]", feature: "trained rows of the token embedding"),
        Refusal(key: "use_qalora", json: "true", feature: "QA-LoRA (pooled adapter inputs)"),
        Refusal(key: "alora_invocation_tokens", json: "[5, 6]",
                feature: "Activated LoRA (adapters applied from the invocation tokens on)"),
        Refusal(key: "velora_config", json: #"{"rank": 4}"#, feature: "VeLoRA"),
        Refusal(key: "monteclora_config", json: #"{"n_samples": 4}"#, feature: "MonteCLoRA (sampled adapters)"),
        Refusal(key: "use_bdlora", json: #"{"nblocks": 2}"#, feature: "BD-LoRA (block-diagonal adapters)"),
        Refusal(key: "arrow_config", json: #"{"top_k": 3}"#, feature: "Arrow routing between adapters"),
        Refusal(key: "kasa_config", json: #"{"beta": 0.1}"#, feature: "KaSA (singular-value adaptation)"),
    ])
    func unsupportedOptionsAreRefused(_ refusal: Refusal) throws {
        let reference = try Reference()
        let folder = try TemporaryDirectory("peft-refusal")
        let value = try JSONSerialization.jsonObject(with: Data(refusal.json.utf8), options: .fragmentsAllowed)
        let directory = try Self.copy(reference.directory, into: folder.url) { $0[refusal.key] = value }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let error = try #require(throws: ModelError.self) { try PEFTAdapterFormat.read(from: directory, model: model) }
        guard case .invalidValue(let file, let key, let reason) = error else { Issue.record("\(error)"); return }
        #expect(file == directory.appendingPathComponent(PEFTAdapterFormat.configFile).path)
        #expect(key == refusal.key)
        #expect(reason.hasPrefix("is ") && reason.contains(": \(refusal.feature) is not implemented by Quench yet; "),
                "\(reason)")
        #expect(error.description.contains("adapter_config.json: key '\(refusal.key)'"), "\(error)")
    }

    @Test func theShownValueIsTheFilesSpellingCutToALine() throws {
        #expect(PEFTAdapterOptions.shown(true) == "true")
        #expect(PEFTAdapterOptions.shown("all") == #""all""#)
        #expect(PEFTAdapterOptions.shown(["b": 1, "a": [2]] as [String: Any]) == #"{"a":[2],"b":1}"#)
        let long = PEFTAdapterOptions.shown(Array(0..<100))
        #expect(long.count == 60 && long.hasPrefix("[0,1,2,") && long.hasSuffix("..."), "\(long)")
    }

    @Test func theValuesMeaningPlainLoRAPass() throws {
        let reference = try Reference()
        let folder = try TemporaryDirectory("peft-defaults")
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        // PEFT's own file carries every key at its default; null, false, empty and absent values all pass.
        for plain in [NSNull(), false, [Any](), [String: Any](), nil] as [Any?] {
            let directory = try Self.copy(reference.directory, into: folder.url) { json in
                for option in PEFTAdapterOptions.unsupported where !["peft_type", "bias"].contains(option.key) {
                    json[option.key] = plain
                }
            }
            #expect(try PEFTAdapterFormat.read(from: directory, model: model).useRSLoRA, "\(String(describing: plain))")
        }
        let directory = try Self.copy(reference.directory, into: folder.url) { $0["peft_type"] = nil; $0["bias"] = nil }
        #expect(try PEFTAdapterFormat.read(from: directory, model: model).targets.count == 6)
    }

    @Test func aUseRSLoRAThatIsNotABooleanIsRefused() throws {
        let reference = try Reference()
        let folder = try TemporaryDirectory("peft-rslora-type")
        let directory = try Self.copy(reference.directory, into: folder.url) { $0["use_rslora"] = "yes" }
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        #expect(throws: ModelError.wrongType(file: directory.appendingPathComponent(PEFTAdapterFormat.configFile).path,
                                             key: "use_rslora", expected: "true, false or null")) {
            try PEFTAdapterFormat.read(from: directory, model: model)
        }
    }

    @Test(arguments: [
        ("lora_magnitude_vector",
         "is a DoRA magnitude vector, but adapter_config.json's use_dora is not true, so PEFT would not use it"),
        ("lora_B.bias", "is a bias on lora_B (lora_bias), which Quench does not implement yet; "
            + "it reads LoRA adapters (plain, rsLoRA, DoRA, per-module ranks and alphas) only"),
    ])
    func aTensorOfAnUnsupportedOptionIsRefusedNamingTheOption(_ suffix: String, _ reason: String) throws {
        // The config says plain LoRA, but the weights file holds the extra tensor PEFT writes for the option.
        let reference = try Reference()
        let folder = try TemporaryDirectory("peft-dora-tensor")
        let directory = try Self.copy(reference.directory, into: folder.url)
        let weights = directory.appendingPathComponent(PEFTAdapterFormat.weightsFile)
        let file = try SafetensorsFile(contentsOf: weights)
        var entries = try file.tensorNames.map { name in
            SafetensorsWriter.Entry(name: name, shape: try #require(file.info(name)).shape, values: .f32(try file.floats(name)))
        }
        let extra = "base_model.model.model.layers.0.self_attn.q_proj.\(suffix)"
        entries.append(.init(name: extra, shape: [64], values: .f32(Array(repeating: 1, count: 64))))
        try SafetensorsWriter.write(entries, metadata: ["format": "pt"], to: weights)
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        #expect(throws: ModelError.invalidValue(file: weights.path, key: extra, reason: reason)) {
            try PEFTAdapterFormat.read(from: directory, model: model)
        }
    }
}
