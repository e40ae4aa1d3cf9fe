import Foundation
import QuenchDispatch
@testable import QuenchJobs
import QuenchTestSupport
import QuenchTrain
import Testing

/// A training configuration packed into a job bundle: the paths are rewritten on the typed
/// configuration, the bundle carries the trainer's own serialised form, and it reads back equal.
@Suite struct TrainingBundleTests {
    /// The bundle tests' source files with a training configuration naming them.
    static func sources() throws -> (folder: URL, config: URL, model: URL) {
        let folder = try BundleSourceFolder.create()
        let model = folder.appendingPathComponent("model-src")
        let config = folder.appendingPathComponent("train.yaml")
        try Data("""
            # comment
            model: model-src
            method: lora
            output: runs/somewhere
            data: {train: train.jsonl, validation: \(folder.path)/valid.jsonl, max_sequence_length: 32}
            clip_gradient_norm: null
            max_steps: 3
            """.utf8).write(to: config)
        return (folder, config, model)
    }

    @Test func bundleHoldsTheConfigurationWithPathsInsideTheBundleAndItReadsBackEqual() throws {
        let (folder, config, _) = try Self.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try TrainingBundle.create(trainingConfig: config, model: .configured(fallback: nil),
                                               at: folder.appendingPathComponent("bundle"), quenchVersion: "9.9.9",
                                               baseDirectory: folder)
        #expect(bundle.manifest.files.map(\.path) == [
            "data/train/train.jsonl", "data/validation/valid.jsonl", "model/config.json", "model/model.safetensors",
            "training.yaml",
        ])
        let yaml = try String(contentsOf: bundle.trainingConfigURL, encoding: .utf8)
        #expect(yaml.contains("clip_gradient_norm: null") && yaml.contains("max_sequence_length: 32"), "\(yaml)")
        let bundled = try TrainingConfig.load(contentsOf: bundle.trainingConfigURL)
        #expect(bundled.model == "model" && bundled.output == "output")
        #expect(bundled.data.train == "data/train/train.jsonl" && bundled.data.validation == "data/validation/valid.jsonl")
        #expect(bundled.clipGradientNorm == nil && bundled.data.maxSequenceLength == 32 && bundled.maxSteps == 3)
        // Every other setting is the configuration's own, and the paths point at the files copied.
        var original = try TrainingConfig.load(contentsOf: config)
        original.model = bundled.model
        original.output = bundled.output
        original.data.train = bundled.data.train
        original.data.validation = bundled.data.validation
        #expect(original == bundled)
        try JobBundle.open(bundle.directory).verify(quenchVersion: "9.9.9")
        #expect(try Data(contentsOf: bundle.directory.appendingPathComponent("data/validation/valid.jsonl"))
                == Data(contentsOf: folder.appendingPathComponent("valid.jsonl")))
    }

    @Test func aModelReferenceTravelsInsteadOfTheModel() throws {
        let (folder, config, _) = try Self.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let digest = String(repeating: "ab", count: 32)
        let reference = try ModelReference(repo: "org/model", commit: String(repeating: "0123456789", count: 4),
                                           files: ["config.json": digest, "model.safetensors": digest])
        let bundle = try TrainingBundle.create(trainingConfig: config, model: .reference(reference),
                                               at: folder.appendingPathComponent("bundle"), quenchVersion: "9.9.9",
                                               baseDirectory: folder)
        #expect(bundle.manifest.files.map(\.path) == ["data/train/train.jsonl", "data/validation/valid.jsonl",
                                                      "model-reference.json", "training.yaml"])
        let training = try TrainingConfig.load(contentsOf: bundle.trainingConfigURL)
        #expect(training.model == "model-reference.json")
        #expect(try bundle.modelReference(named: "model-reference.json") == reference)
        #expect(try bundle.modelReference(named: "model/model.gguf") == nil)
    }

    /// Given model files win over the configuration's; a lone `.gguf` is named as the model itself;
    /// without a `model` the fallback is taken, and with neither the configuration file is named.
    @Test func theModelComesFromTheFilesTheConfigurationOrTheFallback() throws {
        let (folder, config, model) = try Self.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gguf = folder.appendingPathComponent("other.gguf")
        try Data("GGUF".utf8).write(to: gguf)
        let given = try TrainingBundle.create(trainingConfig: config, model: .files([gguf]), at: folder.appendingPathComponent("given"),
                                              quenchVersion: "1", baseDirectory: folder)
        #expect(try TrainingConfig.load(contentsOf: given.trainingConfigURL).model == "model/other.gguf")
        #expect(given.manifest.files.map(\.path).filter { $0.hasPrefix("model/") } == ["model/other.gguf"])

        let modelless = folder.appendingPathComponent("modelless.yaml")
        try Data("data: {train: train.jsonl}\n".utf8).write(to: modelless)
        let fallback = try TrainingBundle.create(trainingConfig: modelless, model: .configured(fallback: model),
                                                 at: folder.appendingPathComponent("fallback"), quenchVersion: "1", baseDirectory: folder)
        #expect(fallback.manifest.files.map(\.path).contains("model/model.safetensors"))
        #expect {
            try TrainingBundle.create(trainingConfig: modelless, model: .configured(fallback: nil),
                                      at: folder.appendingPathComponent("none"), quenchVersion: "1", baseDirectory: folder)
        } throws: { "\($0)".contains("no model") && "\($0)".contains(modelless.path) }
        #expect { try TrainingBundle.create(trainingConfig: config, model: .files([]), at: folder.appendingPathComponent("empty"), quenchVersion: "1") }
            throws: { "\($0)".contains("no model files") }
    }

    @Test func missingDataOrModelIsReportedWhenBundling() throws {
        let (folder, config, _) = try Self.sources()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("train.jsonl"))
        #expect {
            try TrainingBundle.create(trainingConfig: config, model: .configured(fallback: nil), at: folder.appendingPathComponent("b"),
                                      quenchVersion: "1", baseDirectory: folder)
        } throws: { "\($0)".contains("train.jsonl") }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("b").path))
        let dataless = folder.appendingPathComponent("t.yaml")
        try Data("model: x\n".utf8).write(to: dataless)
        #expect { try TrainingBundle.create(trainingConfig: dataless, model: .configured(fallback: nil), at: folder.appendingPathComponent("c"), quenchVersion: "1") }
            throws: { "\($0)".contains("data") }
    }
}
