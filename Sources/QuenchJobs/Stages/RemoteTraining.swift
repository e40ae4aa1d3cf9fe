import Foundation
import QuenchDispatch
import QuenchSecurity
import QuenchTrain

/// Training sent to a compute backend. The run's training settings become a job bundle (settings,
/// data, model files and their sha256 manifest); the backend trains it with `quench train --bundle`;
/// the outputs come back into the run's `train/results/` only once every file matches the returned
/// manifest. Nothing the remote reports decides anything: the evaluate and gate stages recompute
/// everything here from the verified files.
///
/// The job is remembered in `train/remote-job.json`, so a resumed run follows the job it started
/// instead of starting another, and Ctrl-C can cancel it (`cancelActive`).
struct RemoteTraining {
    let remote: JobSpec.RemoteCompute
    let store: JobStore
    let quenchVersion: String

    /// What came back, with paths inside the run folder.
    struct Result {
        let summary: TrainingSummary
        let job: RemoteTrainingJob
    }

    static func jobFile(in training: URL) -> URL { training.appendingPathComponent("remote-job.json") }

    /// Follows the job this run already started, when it can still succeed or has; otherwise bundles
    /// `config` and submits it. `config`'s paths are absolute (the runner resolved them).
    func run(config: TrainingConfig, model: FetchStage.Output, spec: URL, training: URL, events: @escaping RunEvents) throws -> Result {
        let dispatcher = try Dispatcher(settings: remote.settings, store: store, overriding: remote.slurm)
        let results = training.appendingPathComponent("results")
        let record: JobRecord
        if let earlier = try resumable(in: training, dispatcher: dispatcher, events: events) {
            events(.message("following \(earlier.job.id) on \(remote.settings.name), started by the interrupted run"))
            record = earlier
        } else {
            let bundle = try makeBundle(config: config, model: model, spec: spec, training: training)
            let model = remote.sendModel == .reference ? " (the model as a reference the remote fetches from its hub)" : ""
            events(.message("bundled \(bundle.manifest.files.count) files with their sha256\(model); submitting to \(remote.settings.name)"))
            record = try AsyncBridge.wait { try await dispatcher.submit(bundle) }
            try AtomicFile.writeJSON(record, to: Self.jobFile(in: training))
            events(.message("submitted \(record.job.id) to \(remote.settings.name) (\(record.job.backend.rawValue) \(record.job.remoteID)); Ctrl-C cancels it"))
        }
        try? FileManager.default.removeItem(at: results)  // fetched again and verified, never reused unchecked
        let outcome = try AsyncBridge.wait {
            try await dispatcher.finish(record, results: results, log: { events(.message("remote | \($0)")) })
        }
        try AtomicFile.writeJSON(outcome.record, to: Self.jobFile(in: training))
        guard outcome.status.state == .succeeded, let verified = outcome.results else {
            throw RunError.remoteTrainingFailed(backend: remote.settings.name, job: record.job.id,
                                                state: outcome.status.state.rawValue, rawState: outcome.status.rawState,
                                                exitCode: outcome.status.exitCode)
        }
        events(.message("results verified against the returned manifest; the remote's figures are shown, never trusted"))
        let summary = try Self.remoteSummary(in: verified).relocated(into: verified)
        return Result(summary: summary, job: RemoteTrainingJob(outcome.record, status: outcome.status))
    }

    /// The job recorded by an earlier attempt of this run, when the backend says it is still queued or
    /// running, or succeeded; nil when there is none, or it failed or was cancelled (a new job is due).
    private func resumable(in training: URL, dispatcher: Dispatcher, events: RunEvents) throws -> JobRecord? {
        guard let record = Self.recordedJob(in: training), record.settings == remote.settings else { return nil }
        let status = try AsyncBridge.wait { try await dispatcher.status(record) }
        guard !status.state.isFinal || status.state == .succeeded else {
            events(.message("\(record.job.id), started by the interrupted run, ended \(status.state.rawValue); starting a new job"))
            return nil
        }
        return record
    }

    /// The bundle in `train/bundle`: the model's files, or with `send_model: reference` a reference to
    /// the commit and files the fetch stage verified.
    private func makeBundle(config: TrainingConfig, model: FetchStage.Output, spec: URL, training: URL) throws -> JobBundle {
        let destination = training.appendingPathComponent("bundle")
        try? FileManager.default.removeItem(at: destination)
        try FileManager.default.createDirectory(at: training, withIntermediateDirectories: true)
        let reference = remote.sendModel == .reference ? try ReferencedModel.make(from: model) : nil
        let files = reference == nil ? try JobBundle.modelFiles(at: URL(fileURLWithPath: model.location)) : []
        return try JobBundle.create(trainingYAML: try config.yamlDocument(), file: "training section of \(spec.path)",
                                    modelFiles: files, modelReference: reference, jobSpec: spec, at: destination,
                                    quenchVersion: quenchVersion)
    }

    /// The training summary the remote wrote: the only source of its step count, losses and speed, and
    /// shown as such.
    private static func remoteSummary(in results: URL) throws -> TrainingSummary {
        let url = results.appendingPathComponent(Dispatcher.summaryFile)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        guard size <= 1 << 20 else { throw RunError.unsupported("the remote's \(url.path) is \(size) bytes; a training summary is a few hundred") }
        do {
            return try JSONDecoder().decode(TrainingSummary.self, from: try Data(contentsOf: url))
        } catch {
            throw RunError.unsupported("the remote's \(url.path) is not a training summary: \(error)")
        }
    }

    /// Cancels the job recorded in `training` when it has not ended (its run's inputs changed, so its
    /// results are of no use); returns its id.
    static func cancelRecordedJob(in training: URL) throws -> String? {
        guard let record = recordedJob(in: training), record.lastStatus?.state.isFinal != true else { return nil }
        let backend = try record.settings.makeBackend()
        try AsyncBridge.wait { try await backend.cancel(record.job) }
        return record.job.id
    }

    static func recordedJob(in training: URL) -> JobRecord? {
        guard let data = try? Data(contentsOf: jobFile(in: training)) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(JobRecord.self, from: data)
    }

}

extension JobRunner {
    /// Cancels the backend job the run in `runDirectory` is waiting for (on Ctrl-C); returns its id, or
    /// nil when the run has no unfinished remote job. Call it from a thread outside Swift's cooperative pool.
    public static func cancelRemoteTraining(runDirectory: URL) throws -> String? {
        try RemoteTraining.cancelRecordedJob(in: RunDirectory(url: runDirectory).training)
    }
}

/// Where a run's training ran when it was sent to a backend, for the report.
struct RemoteTrainingJob: Codable, Sendable {
    let backend: String
    let kind: String
    let job: String
    let remoteID: String
    let state: String
    let rawState: String
    let exitCode: Int32?

    init(_ record: JobRecord, status: JobStatus) {
        backend = record.settings.name
        kind = record.settings.kind.rawValue
        job = record.job.id
        remoteID = record.job.remoteID
        state = status.state.rawValue
        rawState = status.rawState
        exitCode = status.exitCode
    }

    /// One sentence for the reports' lineage.
    var lineage: String {
        "Trained on backend \(backend) (\(kind), job \(job), \(rawState)); its outputs matched their returned sha256 "
            + "manifest, and the evaluation and gate were computed here from them, not taken from the remote"
    }

    enum CodingKeys: String, CodingKey {
        case backend, kind, job, state
        case remoteID = "remote_id", rawState = "raw_state", exitCode = "exit_code"
    }
}
