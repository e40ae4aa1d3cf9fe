import Foundation
import QuenchDispatch

/// Training sent to a compute backend and seen through, the one orchestration of `quench jobs submit`
/// and a run's remote training: bundle, submit and record, follow the log to the end, then fetch the
/// results and verify every file against the returned manifest; Ctrl-C or changed inputs cancel it.
///
/// Blocking: call it from a thread outside Swift's cooperative pool (a synchronous command's `run()`,
/// the job runner's thread), which each step waits on.
public struct BackendSubmission: Sendable {
    /// Reaches the backend and keeps the jobs record.
    public let dispatcher: Dispatcher
    /// Receives one line per step worth telling, and each remote log line as `remote | …`.
    let say: @Sendable (String) -> Void
    /// The ranks the backend trains with, which every bundled configuration's steps must be shareable by.
    let ranks: BackendRanks

    /// A submission to the backend `settings` describe, with `overrides` for Slurm resources and a hub
    /// token to pass to an SSH host (never stored in the record).
    public init(settings: BackendSettings, store: JobStore = .standard(), overriding overrides: SlurmResources? = nil,
                hubToken: Data? = nil, say: @escaping @Sendable (String) -> Void) throws {
        dispatcher = try Dispatcher(settings: settings, store: store, overriding: overrides, hubToken: hubToken)
        ranks = try BackendRanks(settings: settings, overriding: overrides)
        self.say = say
    }

    /// Bundles the training configuration file at `trainingConfig` with `model` into a new folder of
    /// the jobs record (`bundles/<id>`), after refusing, with nothing written, a `gradient_accumulation`
    /// the backend's ranks cannot share (which the job would otherwise learn only after its wait in the queue).
    public func bundle(trainingConfig: URL, model: TrainingBundle.Model, quenchVersion: String) throws -> JobBundle {
        let config = try ranks.loadTraining(contentsOf: trainingConfig)
        let folder = dispatcher.store.directory.appendingPathComponent("bundles")
        let bundle = try TrainingBundle.create(config: config, file: trainingConfig.path, model: model,
                                               at: folder.appendingPathComponent(SubmittedJob.newID()), quenchVersion: quenchVersion)
        say("bundled \(bundle.manifest.files.count) files with their sha256 in \(bundle.directory.path)")
        return bundle
    }

    /// Submits `bundle`; the job is in the jobs record as soon as the backend accepts it.
    public func submit(_ bundle: JobBundle) throws -> JobRecord {
        let record = try AsyncBridge.wait { [dispatcher] in try await dispatcher.submit(bundle) }
        say("submitted \(record.job.id) to \(dispatcher.settings.name) (\(record.job.backend.rawValue) \(record.job.remoteID)); Ctrl-C cancels it")
        return record
    }

    /// The job's status now, as the backend reports it.
    public func status(_ record: JobRecord) throws -> JobStatus {
        try AsyncBridge.wait { [dispatcher] in try await dispatcher.status(record) }
    }

    /// Follows the job's log until it ends, then, when it succeeded, fetches its results into `results`
    /// (default: its folder in the jobs record) and verifies every file against the returned manifest.
    public func follow(_ record: JobRecord, results: URL? = nil) throws -> DispatchOutcome {
        try AsyncBridge.wait { [dispatcher, say] in
            try await dispatcher.finish(record, results: results, log: { say("remote | \($0)") })
        }
    }

    /// Cancels the job sent with the bundle at `bundle` when the backend says it has not ended, giving
    /// up after `seconds`; its id, or nil when no job was sent with it or the job already ended.
    public func cancelUnfinished(bundle: URL, seconds: Double) throws -> String? {
        guard let record = dispatcher.store.latest(bundle: bundle) else { return nil }
        return try Self.cancelUnfinished(record, store: dispatcher.store, seconds: seconds)?.job.id
    }

    /// What Ctrl-C does while `bundle` is submitted or its job followed: cancel the job sent with it.
    public func interruptPlan(bundle: JobBundle) -> Interrupt.Plan {
        Interrupt.Plan(activity: { "while sending or following the job of \(bundle.directory.path)" },
                       cancel: { [self] in try cancelUnfinished(bundle: bundle.directory, seconds: $0) },
                       next: "the bundle stays in \(bundle.directory.path); `quench jobs list` shows its job")
    }

    /// Cancels `record`'s job when the backend says it has not ended, and remembers it cancelled; the
    /// updated record, or nil when the job already ended. Gives up after `seconds`.
    static func cancelUnfinished(_ record: JobRecord, store: JobStore, seconds: Double) throws -> JobRecord? {
        let dispatcher = try Dispatcher(record: record, store: store)
        return try AsyncBridge.wait(timeout: seconds) { () async throws -> JobRecord? in
            guard try await !dispatcher.status(record).state.isFinal else { return nil }
            try await dispatcher.backend.cancel(record.job)
            var updated = try dispatcher.store.find(record.job.id)
            updated.lastStatus = JobStatus(state: .cancelled, rawState: "cancelled by quench", exitCode: nil)
            try dispatcher.store.save(updated)
            return updated
        }
    }
}
