import Foundation
import QuenchModel
import Testing
@testable import QuenchTrain
@testable import QuenchConfig

@Suite("Training configuration: loading")
struct ConfigLoadingTests {
    static let full = """
        model: models/smollm2.gguf
        output: runs/demo
        method: lora
        lora:
          rank: 16
          alpha: 32
          dropout: 0.05
          targets: [q, v]
        data:
          train: data/train.jsonl
          validation: data/valid.jsonl
          format: chat
          max_sequence_length: 256
          sequences: truncate
        optimizer:
          learning_rate: 3e-4
          betas: [0.85, 0.99]
          epsilon: 1e-6
          weight_decay: 0.01
          exempt_norms_and_biases: false
        schedule:
          kind: linear
          warmup_steps: 10
          min_lr_ratio: 0.1
        batch_size: 8
        gradient_accumulation: 2
        max_steps: 200
        clip_gradient_norm: 0.5
        seed: 42
        checkpoint_every: 20
        evaluate_every: 10
        log_every: 5
        """

    @Test func fullFileDecodesEveryValue() throws {
        let config = try TrainingConfig.load(yaml: Self.full, file: "full.yaml")
        let expected = TrainingConfig(
            model: "models/smollm2.gguf", output: "runs/demo", method: .lora,
            lora: .init(rank: 16, alpha: 32, dropout: 0.05, targets: ["q", "v"]),
            data: .init(train: "data/train.jsonl", validation: "data/valid.jsonl", validationSplit: nil,
                        format: .chat, maxSequenceLength: 256, sequences: .truncate),
            optimizer: .init(learningRate: 3e-4, betas: [0.85, 0.99], epsilon: 1e-6, weightDecay: 0.01,
                             exemptNormsAndBiases: false),
            schedule: .init(kind: .linear, warmupSteps: 10, minimumLearningRateRatio: 0.1),
            batchSize: 8, gradientAccumulation: 2, maxSteps: 200, epochs: nil, clipGradientNorm: 0.5, seed: 42,
            checkpointEvery: 20, evaluateEvery: 10, logEvery: 5)
        #expect(config == expected)
    }

    @Test func minimalFileTakesEveryDefault() throws {
        let config = try TrainingConfig.load(yaml: "data:\n  train: t.jsonl\n", file: "min.yaml")
        #expect(config == TrainingConfig(data: .init(train: "t.jsonl")))
        #expect(config.model == nil)
        #expect(config.output == "runs/train")
        #expect(config.method == .lora)
        #expect(config.lora == .init(rank: 8, alpha: 16, dropout: 0, targets: nil))
        #expect(config.data.maxSequenceLength == 512 && config.data.sequences == .pack && config.data.format == nil)
        #expect(config.optimizer.learningRate == 2e-4 && config.optimizer.betas == [0.9, 0.999])
        #expect(config.optimizer.epsilon == 1e-8 && config.optimizer.weightDecay == 0)
        #expect(config.optimizer.exemptNormsAndBiases)
        #expect(config.schedule == .init(kind: .cosine, warmupSteps: 0, minimumLearningRateRatio: 0))
        #expect(config.batchSize == 4 && config.gradientAccumulation == 1)
        #expect(config.maxSteps == nil && config.epochs == 1)
        #expect(config.clipGradientNorm == 1.0 && config.seed == 0)
        #expect(config.checkpointEvery == 100 && config.evaluateEvery == 50 && config.logEvery == 1)
    }

    @Test func nullDisablesClippingAndEpochsGiveWayToMaxSteps() throws {
        let yaml = "data:\n  train: t.jsonl\n  validation_split: 0.1\nclip_gradient_norm: null\nepochs: 3\n"
        let config = try TrainingConfig.load(yaml: yaml, file: "c.yaml")
        #expect(config.clipGradientNorm == nil)
        #expect(config.epochs == 3 && config.maxSteps == nil)
        #expect(config.data.validationSplit == 0.1)
        let steps = try TrainingConfig.load(yaml: "data: {train: t}\nmax_steps: 30\n", file: "c.yaml")
        #expect(steps.maxSteps == 30 && steps.epochs == nil)
    }

    @Test func jobSpecSectionPrefixesKeys() throws {
        let yaml = "training:\n  data:\n    train: t.jsonl\n  seed: many\n"
        let node = try #require(try ConfigDocument(yaml: yaml, file: "job.yaml").root)
        let section = try #require(node.mapping?["training"])
        do {
            _ = try TrainingConfig.load(node: section, file: "job.yaml", keyPrefix: "training")
            Issue.record("expected an error")
        } catch let error as TrainingConfigError {
            #expect(error == .file(.invalid(file: "job.yaml", problems: [
                ConfigProblem(file: "job.yaml", line: 4, column: 9, key: "training.seed",
                              kind: .wrongType(expected: "an integer", found: "'many'")),
            ])))
        }
    }

    @Test func jsonRoundTripKeepsEveryValue() throws {
        let config = try TrainingConfig.load(yaml: Self.full, file: "full.yaml")
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(TrainingConfig.self, from: data) == config)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"learning_rate\"") && json.contains("\"min_lr_ratio\""))
    }

    @Test func yamlDocumentReadsBackToTheSameConfiguration() throws {
        var clipless = TrainingConfig(data: .init(train: "/data/with: colon.jsonl", validationSplit: 0.25))
        clipless.clipGradientNorm = nil
        clipless.epochs = 3
        clipless.optimizer.learningRate = 1.0e-8 / 3
        var full = try TrainingConfig.load(yaml: Self.full, file: "full.yaml")
        full.method = .full
        for config in [try TrainingConfig.load(yaml: Self.full, file: "full.yaml"), clipless, full,
                       TrainingConfig(data: .init(train: "null"))] {
            let text = try config.yamlDocument()
            #expect(try TrainingConfig.load(yaml: text, file: "round-trip.yaml") == config, "\(text)")
        }
        #expect(try clipless.yamlDocument().contains("clip_gradient_norm: null"))
    }

    @Test func loadsFromFileAndReportsUnreadableFiles() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("quench-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("train.yaml")
        try Data(Self.full.utf8).write(to: url)
        #expect(try TrainingConfig.load(contentsOf: url).seed == 42)

        let missing = directory.appendingPathComponent("absent.yaml")
        #expect(throws: TrainingConfigError.self) { try TrainingConfig.load(contentsOf: missing) }
        let binary = directory.appendingPathComponent("binary.yaml")
        try Data([0xff, 0xfe, 0x00, 0xc3]).write(to: binary)
        #expect(throws: TrainingConfigError.file(.unreadable(file: binary.path, reason: "it is not UTF-8 text"))) {
            try TrainingConfig.load(contentsOf: binary)
        }
    }

    @Test func loraTargetsResolvePerArchitecture() throws {
        let defaults = TrainingConfig.LoRASettings()
        #expect(try defaults.targets(for: .llama) == ["q", "k", "v", "o", "gate", "up", "down"])
        #expect(try defaults.targets(for: .gpt2) == ["qkv", "o", "fc", "proj"])
        let llamaOnly = TrainingConfig.LoRASettings(targets: ["o", "q"])
        #expect(try llamaOnly.targets(for: .llama) == ["o", "q"])
        #expect(throws: TrainingConfigError.unknownLoRATarget(name: "q", architecture: .gpt2,
                                                                known: ["qkv", "o", "fc", "proj"])) {
            try llamaOnly.targets(for: .gpt2)
        }
    }
}
