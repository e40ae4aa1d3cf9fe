import Foundation

/// What a dispatched job came to: its record, final status, and where its verified results are.
public struct DispatchOutcome: Sendable {
    public let record: JobRecord
    public let status: JobStatus
    /// The verified `output/` folder, when the job succeeded.
    public let results: URL?
    /// The remote's own `summary.json` (final loss, …): shown to the user, never used for a verdict,
    /// since only what the local side recomputes from verified files is trusted.
    public let remoteSummary: String?
}

/// Sees a bundle through a backend: submit and record, follow the log, wait for the end, then fetch
/// and verify the results; each step also works alone for `quench jobs`.
public struct Dispatcher: Sendable {
    public let settings: BackendSettings
    public let backend: any ComputeBackend
    public let store: JobStore

    /// A dispatcher for the backend `settings` describe, with `overrides` for Slurm resources and a hub
    /// token to pass to an SSH host (never stored in the record).
    public init(settings: BackendSettings, store: JobStore = .standard(), overriding overrides: SlurmResources? = nil,
                hubToken: Data? = nil) throws {
        self.settings = settings
        self.backend = try settings.makeBackend(overriding: overrides, hubToken: hubToken)
        self.store = store
    }

    /// A dispatcher for a job already in the record, reached the way it was submitted.
    public init(record: JobRecord, store: JobStore = .standard()) throws {
        self.settings = record.settings
        self.backend = try record.settings.makeBackend()
        self.store = store
    }

    /// Submits `bundle` and records the job before returning it.
    public func submit(_ bundle: JobBundle) async throws -> JobRecord {
        let job = try await backend.submit(bundle: bundle)
        let record = JobRecord(job: job, settings: settings, bundle: bundle.directory.path)
        try store.save(record)
        return record
    }

    /// The job's current status, remembered in its record.
    public func status(_ record: JobRecord) async throws -> JobStatus {
        let status = try await backend.status(record.job)
        var updated = record
        updated.lastStatus = status
        try store.save(updated)
        return status
    }

    /// Hands every log line to `log` until the job ends, then returns its final status.
    public func wait(for record: JobRecord, log: @Sendable (String) -> Void) async throws -> JobStatus {
        for try await line in backend.logs(record.job, follow: true) { log(line) }
        var current = try await status(record)
        while !current.state.isFinal {
            try await Task.sleep(for: .milliseconds(Int64(settings.pollSeconds * 1000)))
            current = try await status(record)
        }
        return current
    }

    /// Fetches and verifies the results into `directory` (default: the job's folder in the record,
    /// `results/`), and remembers where they are.
    public func collect(_ record: JobRecord, into directory: URL? = nil) async throws -> URL {
        let target = directory ?? store.folder(for: record.job.id).appendingPathComponent("results")
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        let results = try await backend.collect(record.job, into: target)
        var updated = record
        updated.results = results.path
        updated.lastStatus = JobStatus(state: .succeeded, rawState: record.lastStatus?.rawState ?? "succeeded",
                                       exitCode: record.lastStatus?.exitCode)
        try store.save(updated)
        return results
    }

    /// Submit, follow, wait, and collect when the job succeeded.
    public func run(_ bundle: JobBundle, results directory: URL? = nil, log: @Sendable (String) -> Void) async throws -> DispatchOutcome {
        try await finish(try await submit(bundle), results: directory, log: log)
    }

    /// Follows a submitted job to its end, then collects and verifies its results when it succeeded.
    public func finish(_ record: JobRecord, results directory: URL? = nil, log: @Sendable (String) -> Void) async throws -> DispatchOutcome {
        let final = try await wait(for: record, log: log)
        guard final.state == .succeeded else {
            return DispatchOutcome(record: try store.find(record.job.id), status: final, results: nil, remoteSummary: nil)
        }
        let results = try await collect(try store.find(record.job.id), into: directory)
        let summary = try? String(contentsOf: results.appendingPathComponent(Self.summaryFile), encoding: .utf8)
        return DispatchOutcome(record: try store.find(record.job.id), status: final, results: results, remoteSummary: summary)
    }

    /// The remote's training summary inside `output/`.
    public static let summaryFile = "summary.json"
}
