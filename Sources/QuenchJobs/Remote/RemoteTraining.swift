import Foundation
import QuenchDispatch
import QuenchFiles
import QuenchTrain

/// Training sent to a compute backend. The run's training settings become a job bundle (settings,
/// data, model files or a model reference, and their sha256 manifest); the backend trains it with
/// `quench train --bundle`; the outputs come back into the run's `train/results/` only once every
/// file matches the returned manifest. Nothing the remote reports decides anything: the evaluate and
/// gate stages recompute everything here from the verified files.
///
/// The job is remembered (`RemoteJobRecord`), so a resumed run follows the job it started instead of
/// starting another, and Ctrl-C or changed inputs cancel it.
struct RemoteTraining {
    let remote: JobSpec.RemoteCompute
    let store: JobStore
    let quenchVersion: String

    /// What came back, with paths inside the run folder.
    struct Result {
        let summary: TrainingSummary
        let job: RemoteTrainingJob
    }

    /// Follows the job this run already started, when it is still under way or succeeded; otherwise
    /// bundles `config` (absolute paths) with the job spec `spec` and submits it.
    func run(config: TrainingConfig, model: FetchStage.Output, spec: URL, training: URL, events: @escaping RunEvents) throws -> Result {
        let submission = try BackendSubmission(settings: remote.settings, store: store, overriding: remote.slurm,
                                               say: { events(.message($0)) })
        let records = RemoteJobRecord(training: training, store: store)
        let record: JobRecord
        if let earlier = try resumable(records, submission: submission, events: events) {
            events(.message("following \(earlier.job.id) on \(remote.settings.name), started by the interrupted run"))
            record = earlier
        } else {
            let bundle = try makeBundle(config: config, model: model, spec: spec, at: try records.newBundle())
            let how = remote.sendModel == .reference ? " (the model as a reference the remote fetches from its hub)" : ""
            events(.message("bundled \(bundle.manifest.files.count) files with their sha256\(how); submitting to \(remote.settings.name) of \(remote.file)"))
            record = try submission.submit(bundle)
            try records.save(record)
        }
        // Results are fetched again and verified on every attempt, never reused unchecked.
        try? FileManager.default.removeItem(at: records.results)
        let outcome = try submission.follow(record, results: records.results)
        try records.save(outcome.record)
        guard outcome.status.state == .succeeded, let verified = outcome.results else {
            throw RunError.remoteTrainingFailed(backend: remote.settings.name, job: record.job.id,
                                                state: outcome.status.state.rawValue, rawState: outcome.status.rawState,
                                                exitCode: outcome.status.exitCode)
        }
        events(.message("results verified against the returned manifest; the remote's figures are shown, never trusted"))
        let summary = try Self.remoteSummary(in: verified).relocated(into: verified, method: config.method)
        for path in [summary.output, summary.metrics] where !FileManager.default.fileExists(atPath: path) {
            throw RunError.remoteResultInvalid(file: path, reason: "the verified results do not hold it")
        }
        if let bundle = records.bundle { try? FileManager.default.removeItem(at: bundle) }  // a copy of model and data
        return Result(summary: summary, job: RemoteTrainingJob(outcome.record, status: outcome.status))
    }

    /// The job recorded by an earlier attempt of this run, when the backend says it is still queued or
    /// running, or succeeded; nil when there is none, or it failed or was cancelled (a new job is due).
    private func resumable(_ records: RemoteJobRecord, submission: BackendSubmission, events: RunEvents) throws -> JobRecord? {
        guard let record = try records.load(), record.settings == remote.settings,
              record.lastStatus?.state != .cancelled else { return nil }
        let status = try submission.status(record)
        guard !status.state.isFinal || status.state == .succeeded else {
            events(.message("\(record.job.id), started by the interrupted run, ended \(status.state.rawValue); starting a new job"))
            return nil
        }
        return record
    }

    /// The bundle: the model's verified files, or with `send_model: reference` a reference to the
    /// commit and files the fetch stage verified.
    private func makeBundle(config: TrainingConfig, model: FetchStage.Output, spec: URL, at destination: URL) throws -> JobBundle {
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let sent: TrainingBundle.Model = remote.sendModel == .reference
            ? .reference(try ReferencedModel.make(from: model)) : .files(model.files.map { URL(fileURLWithPath: $0.path) })
        let bundle = try TrainingBundle.create(config: config, file: "training section of \(spec.path)", model: sent,
                                               jobSpec: spec, at: destination, quenchVersion: quenchVersion)
        try Self.requireVerifiedModel(in: bundle, model: model)
        return bundle
    }

    /// Refuses a bundle whose copy of a model file (hashed into its manifest as it was copied) is not
    /// what the fetch and verify stages hashed: the remote must train on the verified bytes. The data
    /// are bundled from the data stage's verified copies.
    static func requireVerifiedModel(in bundle: JobBundle, model: FetchStage.Output) throws {
        let verified = Dictionary(model.files.map { (URL(fileURLWithPath: $0.path).lastPathComponent, $0) },
                                  uniquingKeysWith: { first, _ in first })
        let modelPrefix = JobBundle.modelFolder + "/"
        for entry in bundle.manifest.files where entry.path.hasPrefix(modelPrefix) {
            let name = String(entry.path.dropFirst(modelPrefix.count))
            guard let record = verified[name] else { throw RunError.unverifiedInput(path: bundle.directory.path + "/" + entry.path) }
            guard record.sha256 == entry.sha256 else {
                throw RunError.changedSinceVerified(role: .model, path: record.path, verified: record.sha256, found: entry.sha256)
            }
        }
    }

    /// The training summary the remote wrote: the only source of its step count, losses and speed, and
    /// shown as such.
    private static func remoteSummary(in results: URL) throws -> TrainingSummary {
        let url = results.appendingPathComponent(Dispatcher.summaryFile)
        do throws(JSONFile.Failure) {
            return try JSONFile.read(TrainingSummary.self, from: url, limit: 1 << 20)
        } catch .unreadable(let failure) {
            throw RunError.remoteResultInvalid(file: url.path, reason: failure.reason)
        } catch {
            throw RunError.remoteResultInvalid(file: url.path, reason: "not a training summary: \(error.reason)")
        }
    }
}

extension JobRunner {
    /// What Ctrl-C does during the run in `runDirectory`: say the stage it stopped in, cancel the backend
    /// job the run waits for, and give the resume command.
    public static func interruptPlan(runDirectory: URL) -> Interrupt.Plan {
        Interrupt.Plan(
            activity: { "during " + ((try? RunState.load(from: runDirectory))?.stages.last?.name.rawValue ?? "start") },
            cancel: { try RemoteJobRecord(training: RunDirectory(url: runDirectory).training, store: .standard()).cancelUnfinished(timeout: $0) },
            next: "resume with: quench run --resume \(runDirectory.path)")
    }
}
