import Foundation
import QuenchFiles
import QuenchModel
import QuenchSecurity
import QuenchTrain

/// Stage 4: fine-tunes the base model, here or on the spec's compute backend. An interrupted local
/// training with the same inputs resumes from its newest checkpoint (bit for bit); an interrupted
/// remote one follows its job again; changed inputs start it over.
struct TrainStage: Stage {
    /// What training produced.
    struct Output: Codable, Sendable {
        let method: TrainingConfig.Method
        let summary: TrainingSummary
        /// The adapter (LoRA, PEFT layout) or model (full, Hugging Face layout) folder.
        let artifacts: String
        let files: [FileRecord]
        /// metrics.jsonl: one line per step, with validation losses where they were measured.
        let metrics: String
        /// The backend job that trained, when training was sent away; `summary` is then its report.
        var remote: RemoteTrainingJob? = nil
    }

    static let name = StageName.train
    let context: RunContext
    let fetch: FetchStage.Output
    let verify: VerifyStage.Output
    let data: DataStage.Output

    func inputs() throws -> [String: String] {
        ["config": configuration.canonicalHash(),
         "files": verify.checks.map { "\($0.role.rawValue):\($0.file.sha256)" }.joined(separator: ";"),
         "redactions": data.redactions.map { "\($0.output):\($0.changedRecords)" }.joined(separator: ";"),
         "compute": context.spec.compute.trainingIdentity]
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let config = configuration
        // Training here must be able to compute in the precision asked for; a remote machine checks its own CPU.
        if case .local = context.spec.compute {
            try config.requirePrecisionSupport(setting: "training.precision in \(context.spec.file)")
        }
        let output = context.directory.training
        try startOverIfInputsChanged(output: output, events: events)
        if case .remote(let remote) = context.spec.compute {
            let result = try RemoteTraining(remote: remote, store: .standard(), quenchVersion: context.quenchVersion)
                .run(config: config, model: fetch,
                     spec: context.directory.specCopy, training: output, events: events)
            let artifacts = URL(fileURLWithPath: result.summary.output)
            return Output(method: config.method, summary: result.summary, artifacts: artifacts.path,
                          files: try FileRecord.all(in: artifacts), metrics: result.summary.metrics, remote: result.job)
        }
        let canResume = Trainer.hasCheckpoint(output: output)
        if canResume { events(.message("resuming training from the newest checkpoint in \(output.path)/checkpoints")) }
        // The data are the data stage's verified copies; the model is loaded from bytes checked against the verify stage.
        let bundle = try ModelBundle.open(URL(fileURLWithPath: fetch.location), verifying: VerifiedInputs(verify.checks).modelCheck)
        let summary = try Trainer(config: config, bundle: bundle, quenchVersion: context.quenchVersion).run(resume: canResume)
        let artifacts = URL(fileURLWithPath: summary.output)
        return Output(method: config.method, summary: summary, artifacts: artifacts.path,
                      files: try FileRecord.all(in: artifacts), metrics: summary.metrics)
    }

    static func summary(_ output: Output) -> String {
        let validation = output.summary.validationLoss.map { String(format: ", validation loss %.4f", $0) } ?? ""
        let place = output.remote.map { " on \($0.backend) (job \($0.job), figures as the remote reported them)" } ?? ""
        return String(format: "%@, %d steps, loss %.4f%@, %.0f tokens/s in %@%@", output.method.rawValue,
                      output.summary.steps, output.summary.finalLoss, validation, output.summary.tokensPerSecond,
                      output.summary.precision.rawValue, place)
    }

    /// Checkpoints (and a remote job) are only resumed by the training that started them: the stage's
    /// inputs are kept beside them, and a folder left by different inputs (another config, other data)
    /// is cleared first, its unfinished remote job cancelled.
    private func startOverIfInputsChanged(output: URL, events: RunEvents) throws {
        let marker = output.appendingPathComponent("inputs.sha256")
        let current = try RunFiles.digest(inputs())
        let previous = FileManager.default.contents(atPath: marker.path).map { String(decoding: $0, as: UTF8.self) }
        if previous != current {
            cancelRemoteJob(in: output, events: events)
            if FileManager.default.fileExists(atPath: output.path) { try FileManager.default.removeItem(at: output) }
            try AtomicFile.write(Data(current.utf8), to: marker)
        }
    }

    /// Cancels the remote job a training folder left by other inputs is waiting for: its results
    /// would be of no use. A failure is reported, not fatal: the new training does not depend on it.
    private func cancelRemoteJob(in output: URL, events: RunEvents) {
        do {
            if let job = try RemoteJobRecord(training: output, store: .standard()).cancelUnfinished(timeout: 60) {
                events(.message("cancelled \(job), started for other inputs"))
            }
        } catch {
            events(.message("could not cancel the remote job started for other inputs: \(error); see `quench jobs list`"))
        }
    }

    /// The job's training settings with the fetched model, the data stage's files (the verified
    /// copies, or their redacted copies) and the run's own output folder.
    var configuration: TrainingConfig {
        var config = context.spec.training
        config.model = fetch.location
        config.output = context.directory.training.path
        config.data.train = data.trainingFiles.train
        config.data.validation = data.trainingFiles.validation
        return config
    }
}
