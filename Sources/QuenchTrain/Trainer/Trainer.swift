import Foundation
import QuenchModel
import QuenchTensor
import QuenchData
import QuenchDistributed

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
///
/// Under `mpirun` or `srun --mpi=pmix` it is one rank of a `ProcessGroup`: every rank draws the same
/// batches, computes its `RankShare` of each step's micro-batches, and the gradients and losses are
/// summed over the ranks before every rank takes the same optimizer step. Rank 0 alone writes.
public final class Trainer {
    let config: TrainingConfig
    let bundle: ModelBundle
    let output: URL
    /// The Quench release running this rank: ranks of other releases are refused before the first step.
    let quenchVersion: String
    /// Bytes free on this machine besides the loaded model; several ranks on one machine share them.
    let availableMemory: Int
    /// The ranks training together (a `SoloGroup` for a plain process).
    let group: any ProcessGroup
    /// Floats per bucket of the gradient sum over the ranks.
    let bucketFloats: Int

    /// Checks the settings against the model before any work starts; `quenchVersion` is the release
    /// running (every rank must run the same); `availableMemory` (default: what the system reports
    /// available) is what this machine may allocate besides the loaded model, shared by the ranks on it;
    /// `group` is the ranks this process trains with (default: none but itself); `bucketFloats` the
    /// floats per bucket of their gradient sum (tests lower it so that a tiny model's buckets are sent
    /// while backward runs, as a real model's are).
    public init(config: TrainingConfig, bundle: ModelBundle, quenchVersion: String,
                availableMemory: Int = MemoryBudget.availableBytes(), group: any ProcessGroup = SoloGroup(),
                bucketFloats: Int = GradientReducer.defaultBucketFloats) throws {
        guard bundle.tokenizer != nil else { throw TrainingError.noTokenizer(model: bundle.location.path) }
        self.config = config
        self.bundle = bundle
        self.quenchVersion = quenchVersion
        self.availableMemory = availableMemory
        self.group = group
        self.bucketFloats = bucketFloats
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
        let accumulation = config.gradientAccumulation
        let share = try RankShare(rank: group.rank, ranks: group.size, accumulation: accumulation)
        let data = try TrainingData.prepare(dataOptions(), tokenizer: ExampleTokenizer(bundle: bundle))
        try TrainingMemory.check(model: bundle.model, config: config, time: data.training.time, available: availableMemory,
                                 microBatches: share.local.count, ranksOnThisNode: group.ranksOnThisNode)
        let state = try TrainableState(model: bundle.model, config: config)
        try bundle.model.setPrecision(config.precision)
        let checkpoints = output.appendingPathComponent("checkpoints")
        let hash = config.canonicalHash()
        let fresh = try BatchIterator(sequences: data.training, batchSize: config.batchSize, seed: UInt64(config.seed))
        let totalSteps = try plannedSteps(batchesPerEpoch: fresh.batchesPerEpoch)
        let (startStep, resumedIterator) = try startingPoint(resume: resume, force: force, under: checkpoints, hash: hash,
                                                             totalSteps: totalSteps, state: state, fresh: fresh)
        var iterator = resumedIterator
        let agreement = RankAgreement(group: group)
        try agreement.check(RankAgreement.start(config: config, quenchVersion: quenchVersion, data: data, cursor: iterator.cursor,
                                                step: startStep, totalSteps: totalSteps, state: state), Collective("start"))
        if group.writes { try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true) }
        let schedule = LearningRateSchedule(settings: config.schedule, peak: config.optimizer.learningRate,
                                            totalSteps: totalSteps)
        let workspace = try Workspace(config: bundle.model.config, batch: config.batchSize, time: data.training.time,
                                      training: true, adapters: state.adapters)
        let metricsURL = output.appendingPathComponent(Self.metricsFile)
        let log = group.writes ? try MetricsLog(url: metricsURL, keepingThrough: startStep, label: group.logLabel) : nil
        let stepGradients = try StepGradients(gradients: state.gradients, microBatches: share.local.count)
        let reducer = GradientReducer(gradients: state.gradients, group: group, bucketFloats: bucketFloats)
        let started = Date()
        var tokens = 0, lastLoss = 0.0, lastValidation: Double?
        if startStep == totalSteps {
            (lastLoss, lastValidation) = try finishedFigures(log, metricsURL, totalSteps: totalSteps)
        }
        for step in startStep..<totalSteps {
            // Every rank draws the whole step, so the data cursor is the same everywhere.
            let batches = (0..<accumulation).map { _ in iterator.next() }
            let scored = max(batches.reduce(0) { $0 + $1.scoredTokens }, 1)
            // Each micro-batch's summed loss; the other ranks' entries arrive with the sum below.
            var losses = [Double](repeating: 0, count: accumulation)
            // The last micro-batch's backward sends the buckets it finishes (full fine-tuning, several ranks).
            let sendFinished = reducer.backwardHook(for: state.modelGradients, step: step + 1)
            for (index, micro) in share.local.enumerated() {
                let batch = batches[micro]
                // Dropout masks depend only on the step and micro-batch, so a resumed run draws the same ones.
                // plannedSteps checked that totalSteps × accumulation fits, so this cannot overflow.
                state.adapters?.dropoutStream = UInt64(step * accumulation + micro)
                try bundle.model.forward(batch.tokens, workspace: workspace)
                try stepGradients.accumulate(index, reporting: sendFinished) { finished in
                    losses[micro] = try bundle.model.backward(batch.tokens, workspace: workspace, gradients: state.modelGradients,
                                                              lossScale: 1 / Float(scored), finished: finished).summedLoss
                }
            }
            tokens += batches.reduce(0) { $0 + $1.tokens.inputs.count }
            try reducer.reduce(step: step + 1)
            try group.sum(&losses, Collective("loss", step: step + 1))
            let norm = config.clipGradientNorm.map { GradientClipping.clip(state.gradients, maximum: $0) }
                ?? GradientClipping.norm(state.gradients)
            let rate = schedule.rate(at: step)
            state.optimizer.update(parameters: state.weights, gradients: state.gradients, learningRate: Float(rate))
            // The model's bf16 copy follows its fp32 masters (full fine-tuning; LoRA's base is frozen).
            if state.weights === state.model.parameters { try state.model.weightsChanged() }
            lastLoss = losses.reduce(0, +) / Double(scored)
            let done = step + 1
            if let validation = data.validation, done % config.evaluateEvery == 0 || done == totalSteps {
                lastValidation = try validationLoss(validation, workspace, step: done)
            } else {
                lastValidation = nil
            }
            let elapsed = Date().timeIntervalSince(started)
            try log?.record(StepMetrics(step: done, loss: lastLoss, learningRate: rate, gradientNorm: norm,
                                        tokensPerSecond: Double(tokens) / max(elapsed, 1e-9), elapsedSeconds: elapsed,
                                        epoch: batches.last?.epoch ?? 0, validationLoss: lastValidation),
                            totalSteps: totalSteps)
            if done % config.checkpointEvery == 0 || done == totalSteps {
                // A run whose ranks drifted apart stops before it saves anything.
                try agreement.check(RankAgreement.weights(state), Collective("weights check", step: done))
                if group.writes {
                    try Checkpoint(step: done, cursor: iterator.cursor, configHash: hash, method: config.method)
                        .write(state, under: checkpoints)
                }
            }
        }
        let result = group.writes ? try writeOutputs(state) : output.appendingPathComponent(Self.artifactsFolder(for: config.method))
        // The other ranks end only once rank 0 wrote the outputs: if it fails, the job fails.
        try group.barrier(Collective("outputs written"))
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
