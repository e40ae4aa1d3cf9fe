import Foundation
import QuenchModel
import QuenchTensor
import QuenchData

/// What a finished run produced.
public struct TrainingSummary: Codable, Sendable {
    public let steps: Int
    public let resumedFromStep: Int?
    public let finalLoss: Double
    public let validationLoss: Double?
    public let tokensPerSecond: Double
    /// The adapter directory (LoRA) or the full model directory (full fine-tuning).
    public let output: String
    public let metrics: String
    /// The precision the matrix products ran in (`precision` of the configuration).
    public let precision: Precision

    /// The same figures for outputs copied into `directory` (a remote run's, once fetched and verified),
    /// at the places a trainer with `method` writes them: the paths the remote reported are not used.
    public func relocated(into directory: URL, method: TrainingConfig.Method) -> TrainingSummary {
        TrainingSummary(steps: steps, resumedFromStep: resumedFromStep, finalLoss: finalLoss, validationLoss: validationLoss,
                        tokensPerSecond: tokensPerSecond,
                        output: directory.appendingPathComponent(Trainer.artifactsFolder(for: method)).path,
                        metrics: directory.appendingPathComponent(Trainer.metricsFile).path, precision: precision)
    }
}

/// Runs a training configuration: data, the optimizer loop with accumulation, clipping and the
/// schedule, validation, metrics, checkpoints that resume bit for bit, and the final outputs.
public final class Trainer {
    let config: TrainingConfig
    let bundle: ModelBundle
    let output: URL
    /// Bytes free for training besides the loaded model.
    let availableMemory: Int

    /// Checks the settings against the model before any work starts; `availableMemory` (default:
    /// what the system reports available) is what the run may allocate besides the loaded model.
    public init(config: TrainingConfig, bundle: ModelBundle, availableMemory: Int = MemoryBudget.availableBytes()) throws {
        guard bundle.tokenizer != nil else { throw TrainingError.noTokenizer(model: bundle.location.path) }
        self.config = config
        self.bundle = bundle
        self.availableMemory = availableMemory
        output = URL(fileURLWithPath: config.output)
    }

    /// The metrics file inside the output folder.
    public static let metricsFile = "metrics.jsonl"

    /// The folder inside the output folder holding what training produced: `adapter` (LoRA, PEFT
    /// layout) or `model` (full fine-tuning, Hugging Face layout).
    public static func artifactsFolder(for method: TrainingConfig.Method) -> String {
        method == .lora ? "adapter" : "model"
    }

    /// Whether the training output folder `output` holds a checkpoint that `run(resume: true)` can continue from.
    public static func hasCheckpoint(output: URL) -> Bool {
        (try? Checkpoint.latest(under: output.appendingPathComponent("checkpoints"))) != nil
    }

    /// Trains from the start, or with `resume` from the newest checkpoint in the output directory
    /// (refused when the configuration changed since, unless `force`).
    public func run(resume: Bool = false, force: Bool = false) throws -> TrainingSummary {
        try config.requirePrecisionSupport()
        let data = try TrainingData.prepare(dataOptions(), tokenizer: ExampleTokenizer(bundle: bundle))
        try TrainingMemory.check(model: bundle.model, config: config, time: data.training.time, available: availableMemory)
        let state = try TrainableState(model: bundle.model, config: config)
        try bundle.model.setPrecision(config.precision)
        let checkpoints = output.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        let hash = config.canonicalHash()
        var iterator = try BatchIterator(sequences: data.training, batchSize: config.batchSize, seed: UInt64(config.seed))
        let accumulation = config.gradientAccumulation
        let totalSteps = try plannedSteps(batchesPerEpoch: iterator.batchesPerEpoch)
        var startStep = 0
        let existing = try Checkpoint.latest(under: checkpoints)
        if resume {
            guard let (checkpoint, folder) = existing else { throw TrainingError.nothingToResume(directory: checkpoints.path) }
            guard checkpoint.configHash == hash || force else {
                throw TrainingError.configChanged(checkpoint: folder.path, expected: checkpoint.configHash, found: hash)
            }
            try Self.check(checkpoint, in: folder, totalSteps: totalSteps, accumulation: accumulation)
            try checkpoint.restore(state, from: folder)
            try state.model.weightsChanged()
            do {
                iterator = try BatchIterator(sequences: data.training, batchSize: config.batchSize,
                                             seed: UInt64(config.seed), cursor: checkpoint.cursor)
            } catch let error as DatasetError {
                throw TrainingError.invalidCheckpoint(
                    path: folder.appendingPathComponent(Checkpoint.stateFile).path, reason: "at key cursor: \(error)")
            }
            startStep = checkpoint.step
        } else if existing != nil {
            throw TrainingError.invalidSetting(
                key: "output", reason: "\(output.path) already holds checkpoints: pass --resume to continue, or choose a new output")
        }
        let schedule = LearningRateSchedule(settings: config.schedule, peak: config.optimizer.learningRate,
                                            totalSteps: totalSteps)
        let workspace = try Workspace(config: bundle.model.config, batch: config.batchSize, time: data.training.time,
                                      training: true, adapters: state.adapters)
        let metricsURL = output.appendingPathComponent(Self.metricsFile)
        let log = try MetricsLog(url: metricsURL, keepingThrough: startStep)
        let started = Date()
        var tokens = 0, lastLoss = 0.0, lastValidation: Double?
        if startStep == totalSteps {
            // A finished run resumed: nothing is left to train, so its figures are the last step's.
            guard let last = log.lastKept, last.step == totalSteps else {
                throw TrainingError.invalidCheckpoint(
                    path: metricsURL.path, reason: "it has no line for step \(totalSteps), the step the checkpoint finished; "
                        + "the run's final loss cannot be reported (start without --resume to train again)")
            }
            lastLoss = last.loss
            lastValidation = last.validationLoss
        }
        for step in startStep..<totalSteps {
            state.gradients.flat.zero()
            let batches = (0..<accumulation).map { _ in iterator.next() }
            let scored = max(batches.reduce(0) { $0 + $1.scoredTokens }, 1)
            var summed = 0.0
            for (micro, batch) in batches.enumerated() {
                // Dropout masks depend only on the step and micro-batch, so a resumed run draws the same ones.
                // plannedSteps checked that totalSteps × accumulation fits, so this cannot overflow.
                state.adapters?.dropoutStream = UInt64(step * accumulation + micro)
                try bundle.model.forward(batch.tokens, workspace: workspace)
                summed += try bundle.model.backward(batch.tokens, workspace: workspace, gradients: state.modelGradients,
                                                    lossScale: 1 / Float(scored)).summedLoss
                tokens += batch.tokens.inputs.count
            }
            let norm = config.clipGradientNorm.map { GradientClipping.clip(state.gradients, maximum: $0) }
                ?? GradientClipping.norm(state.gradients)
            let rate = schedule.rate(at: step)
            state.optimizer.update(parameters: state.weights, gradients: state.gradients, learningRate: Float(rate))
            // The model's bf16 copy follows its fp32 masters (full fine-tuning; LoRA's base is frozen).
            if state.weights === state.model.parameters { try state.model.weightsChanged() }
            lastLoss = summed / Double(scored)
            let done = step + 1
            if let validation = data.validation, done % config.evaluateEvery == 0 || done == totalSteps {
                lastValidation = try validationLoss(validation, workspace)
            } else {
                lastValidation = nil
            }
            let elapsed = Date().timeIntervalSince(started)
            try log.record(StepMetrics(step: done, loss: lastLoss, learningRate: rate, gradientNorm: norm,
                                       tokensPerSecond: Double(tokens) / max(elapsed, 1e-9), elapsedSeconds: elapsed,
                                       epoch: batches.last?.epoch ?? 0, validationLoss: lastValidation),
                           totalSteps: totalSteps)
            if done % config.checkpointEvery == 0 || done == totalSteps {
                try Checkpoint(step: done, cursor: iterator.cursor, configHash: hash, method: config.method)
                    .write(state, under: checkpoints)
            }
        }
        let result = try writeOutputs(state)
        let elapsed = Date().timeIntervalSince(started)
        return TrainingSummary(steps: totalSteps, resumedFromStep: resume ? startStep : nil, finalLoss: lastLoss,
                               validationLoss: lastValidation, tokensPerSecond: Double(tokens) / max(elapsed, 1e-9),
                               output: result.path, metrics: metricsURL.path, precision: config.precision)
    }

    /// Optimizer steps of the run: `max_steps`, or `epochs` passes of `batchesPerEpoch` batches.
    /// - Throws: `TrainingError.invalidSetting` when the steps, or the micro-batches they draw
    ///   (steps × gradient_accumulation, which seed the dropout masks), overflow.
    private func plannedSteps(batchesPerEpoch: Int) throws -> Int {
        let accumulation = config.gradientAccumulation
        let perEpoch = batchesPerEpoch / accumulation + (batchesPerEpoch % accumulation == 0 ? 0 : 1)
        let (steps, stepsOverflow) = config.maxSteps.map { ($0, false) }
            ?? (config.epochs ?? 1).multipliedReportingOverflow(by: perEpoch)
        let (_, microOverflow) = steps.multipliedReportingOverflow(by: accumulation)
        guard !stepsOverflow, !microOverflow else {
            throw TrainingError.invalidSetting(
                key: config.maxSteps == nil ? "epochs" : "max_steps",
                reason: "the run's steps × gradient_accumulation (\(accumulation)) overflow; lower them")
        }
        return steps
    }

    /// Refuses a checkpoint this run cannot continue: one past `totalSteps` (max_steps was lowered),
    /// or whose data cursor is further on than its steps could have carried it.
    static func check(_ checkpoint: Checkpoint, in folder: URL, totalSteps: Int, accumulation: Int) throws {
        guard checkpoint.step <= totalSteps else {
            throw TrainingError.invalidSetting(
                key: "max_steps",
                reason: "the checkpoint \(folder.path) is at step \(checkpoint.step), past this run's \(totalSteps) steps; "
                    + "raise max_steps (or epochs) to at least \(checkpoint.step), or start without --resume")
        }
        // Each micro-batch advances the cursor by at most one epoch.
        guard checkpoint.cursor.epoch <= checkpoint.step * accumulation else {
            throw TrainingError.invalidCheckpoint(
                path: folder.appendingPathComponent(Checkpoint.stateFile).path,
                reason: "at key cursor.epoch: \(checkpoint.cursor.epoch) is more epochs than \(checkpoint.step) steps "
                    + "of \(accumulation) micro-batches can reach")
        }
    }

    private func dataOptions() -> DataOptions {
        let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        return DataOptions(
            trainingFile: URL(fileURLWithPath: config.data.train, relativeTo: base),
            validationFile: config.data.validation.map { URL(fileURLWithPath: $0, relativeTo: base) },
            validationSplit: config.data.validationSplit ?? 0,
            format: config.data.format,
            maxSeqLen: config.data.maxSequenceLength,
            policy: config.data.sequences, seed: UInt64(config.seed))
    }

    /// Mean loss over the validation rows, forward only.
    private func validationLoss(_ validation: SequenceSet, _ workspace: Workspace) throws -> Double {
        var summed = 0.0, scored = 0
        workspace.appliesDropout = false
        defer { workspace.appliesDropout = true }
        try validation.forEachBatch(batchSize: config.batchSize) { batch in
            if let result = try bundle.model.forward(batch.tokens, workspace: workspace) {
                summed += result.summedLoss
                scored += result.scoredTokens
            }
        }
        return scored == 0 ? 0 : summed / Double(scored)
    }

    /// The adapter in PEFT's layout (LoRA; its base named as `PEFTBase` says: by hub id when it is a
    /// transformers checkpoint from a hub), or the whole model as a Hugging Face directory (full), each
    /// with a README.md model card.
    private func writeOutputs(_ state: TrainableState) throws -> URL {
        let card = ModelCard.trained(bundle, adapter: state.adapters != nil, settings: cardSettings(state.adapters))
        if let adapters = state.adapters {
            let directory = output.appendingPathComponent(Self.artifactsFolder(for: .lora))
            try PEFTAdapterFormat.write(adapters, model: bundle.model, baseModel: PEFTBase(bundle).configValue, to: directory)
            try card.write(into: directory)
            return directory
        }
        let directory = output.appendingPathComponent(Self.artifactsFolder(for: .full))
        try? FileManager.default.removeItem(at: directory)
        // The trained fp32 weights, exactly.
        try HuggingFaceExporter.write(bundle, to: directory, dtype: .f32, card: card)
        return directory
    }

    /// The training settings for the model card, as Markdown list lines: with `adapters` (LoRA), their
    /// settings and the weight they give each projection.
    private func cardSettings(_ adapters: LoRAAdapters?) -> [String] {
        let method = adapters.map { adapters in
            ["- Method: LoRA: \(ModelCard.loraSettings(adapters))", "- Each adapted projection: \(ModelCard.adaptedWeight(adapters))"]
        } ?? ["- Method: full fine-tuning"]
        let length = config.maxSteps.map { "\($0) steps" } ?? "\(config.epochs ?? 1) epoch(s)"
        return method + [
            "- Length: \(length), batch size \(config.batchSize) × \(config.gradientAccumulation) accumulated",
            "- Learning rate: \(config.optimizer.learningRate) (\(config.schedule.kind.rawValue)), seed \(config.seed), precision \(config.precision)",
            "- Training configuration hash: `\(config.canonicalHash())`",
        ]
    }
}

extension TrainingSummary {
    /// Reads a summary; one written before Quench recorded precisions ran in fp32.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(steps: try container.decode(Int.self, forKey: .steps),
                  resumedFromStep: try container.decodeIfPresent(Int.self, forKey: .resumedFromStep),
                  finalLoss: try container.decode(Double.self, forKey: .finalLoss),
                  validationLoss: try container.decodeIfPresent(Double.self, forKey: .validationLoss),
                  tokensPerSecond: try container.decode(Double.self, forKey: .tokensPerSecond),
                  output: try container.decode(String.self, forKey: .output),
                  metrics: try container.decode(String.self, forKey: .metrics),
                  precision: try container.decodeIfPresent(Precision.self, forKey: .precision) ?? .fp32)
    }
}
