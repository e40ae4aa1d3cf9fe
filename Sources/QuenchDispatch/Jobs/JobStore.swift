import Foundation
import QuenchFiles

/// One submitted job as remembered on this machine: the backend's answer, the settings to reach it
/// again, and what is known of it since.
public struct JobRecord: Codable, Sendable, Equatable {
    public var job: SubmittedJob
    public var settings: BackendSettings
    /// The local bundle that was sent.
    public var bundle: String
    /// The last status read, if any.
    public var lastStatus: JobStatus?
    /// Where verified results were collected, if they were.
    public var results: String?

    /// A record of a freshly submitted job.
    public init(job: SubmittedJob, settings: BackendSettings, bundle: String, lastStatus: JobStatus? = nil, results: String? = nil) {
        self.job = job
        self.settings = settings
        self.bundle = bundle
        self.lastStatus = lastStatus
        self.results = results
    }
}

extension JobRecord {
    /// Reads one record file, refusing anything too large to be one or not a record.
    public static func read(from url: URL) throws -> JobRecord {
        let size = try DirectoryWalk.regularFileSize(url, missing: .fileFailed(path: url.path, reason: "it vanished"))
        guard size <= Int64(JobStore.maximumRecordSize) else {
            throw DispatchError.fileFailed(path: url.path, reason: "a job record is at most \(JobStore.maximumRecordSize) bytes")
        }
        let decoder = JSONCoding.decoder
        do {
            return try decoder.decode(JobRecord.self, from: Data(contentsOf: url))
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: "not a job record: \(error)")
        }
    }
}

/// The jobs record under `$QUENCH_HOME/jobs/` (default `~/.local/share/quench/jobs`): one JSON file per
/// job, written atomically, so `quench jobs list|status|logs|cancel` work from any later process.
public struct JobStore: Sendable {
    /// The folder holding `<job id>.json` files (and each job's local `<job id>/` folder).
    public let directory: URL

    /// Records are small; a file past this is not one.
    static let maximumRecordSize = 1 << 20

    /// The record at `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The record in `QuenchHome.jobs`.
    public static func standard() -> JobStore { JobStore(directory: QuenchHome.resolve().jobs) }

    /// A local folder for the job's bundle and results: `<directory>/<job id>/`.
    public func folder(for id: String) -> URL { directory.appendingPathComponent(id) }

    /// Writes (or replaces) the record of `record.job.id`.
    public func save(_ record: JobRecord) throws {
        let url = directory.appendingPathComponent("\(record.job.id).json")
        do {
            try AtomicFile.writeJSON(record, to: url)
        } catch {
            throw DispatchError.fileFailed(path: url.path, reason: "cannot write the job record: \(error.reason)")
        }
    }

    /// Every record, oldest first; unreadable files are reported, not skipped silently.
    public func list() throws -> [JobRecord] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw DispatchError.fileFailed(path: directory.path, reason: error.localizedDescription)
        }
        return try names.filter { $0.hasSuffix(".json") }.sorted()
            .map { try JobRecord.read(from: directory.appendingPathComponent($0)) }
            .sorted { $0.job.submittedAt < $1.job.submittedAt }
    }

    /// The latest job sent with the bundle at `bundle`, or nil. Best effort: an unreadable record
    /// elsewhere in the jobs folder is passed over, so it neither stops the caller (a run resuming, a
    /// Ctrl-C cancelling) nor hides the job.
    public func latest(bundle: URL) -> JobRecord? {
        let sent = bundle.standardizedFileURL.path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }
            .compactMap { try? JobRecord.read(from: directory.appendingPathComponent($0)) }
            .filter { URL(fileURLWithPath: $0.bundle).standardizedFileURL.path == sent }
            .max { $0.job.submittedAt < $1.job.submittedAt }
    }

    /// The record whose id is `id` or starts with it (when only one does).
    public func find(_ id: String) throws -> JobRecord {
        guard !id.isEmpty, !id.contains("/") else { throw DispatchError.unknownJob(id: id) }
        let exact = directory.appendingPathComponent("\(id).json")
        if FileManager.default.fileExists(atPath: exact.path) { return try JobRecord.read(from: exact) }
        let matches = try list().filter { $0.job.id.hasPrefix(id) }
        guard matches.count == 1, let only = matches.first else { throw DispatchError.unknownJob(id: id) }
        return only
    }
}
