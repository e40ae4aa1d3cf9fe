import Foundation

/// Where training runs: this machine, a host over SSH, or a Slurm cluster. A protocol because the job
/// runner, the CLI and the tests swap backends; everything behind it is concrete.
public protocol ComputeBackend: Sendable {
    /// Copies the bundle to the backend, checks the Quench release there, and starts
    /// `quench train --bundle` on it.
    func submit(bundle: JobBundle) async throws -> SubmittedJob
    /// The job's state as the backend reports it, with its raw state and exit code.
    func status(_ job: SubmittedJob) async throws -> JobStatus
    /// The job's log lines; with `follow`, new lines as they are written until the job ends.
    func logs(_ job: SubmittedJob, follow: Bool) -> AsyncThrowingStream<String, Error>
    /// Stops the job (a no-op when it already ended).
    func cancel(_ job: SubmittedJob) async throws
    /// Fetches the job's outputs into `directory` (which must not exist), verifies every file against
    /// the returned manifest, and returns `directory`; nothing unverified is left behind.
    func collect(_ job: SubmittedJob, into directory: URL) async throws -> URL
}

/// The backend families, as named by `kind` in `configs/compute.yaml`: `process` (a detached
/// `quench train --bundle` on this machine), `ssh` (the same on a host reached over SSH), `slurm`.
///
/// `local` is not a kind: in a job spec, `compute.backend: local` trains inside the `quench run`
/// process, so the compute file refuses `local` rather than give the word a second meaning.
public enum BackendKind: String, Codable, Sendable, CaseIterable {
    case process, ssh, slurm

    /// The word a compute file may not use as a kind or a backend name, and why.
    public static let inProcessName = "local"

    /// What a compute file's `kind: TEXT` should be instead, for its message: the old `local` is
    /// refused with its new name, anything else with the list of kinds.
    public static func refusal(of text: String) -> String {
        let kinds = "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))"
        guard text == inProcessName else { return kinds }
        return "\(kinds): a detached process on this machine is now `kind: process`; `local` names in-process "
            + "training in a job spec (`compute.backend: local`)"
    }

    /// Decodes a job record's kind; records written before the rename say `local` for `process`,
    /// which meant the same detached process there.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let kind = BackendKind(rawValue: text == Self.inProcessName ? Self.process.rawValue : text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "unknown backend kind '\(text)'"))
        }
        self = kind
    }
}

/// A job handed to a backend: enough to find it again from another process.
public struct SubmittedJob: Codable, Sendable, Equatable {
    /// Quench's id for the job (also the name of its folder on the backend).
    public let id: String
    public let backend: BackendKind
    /// The backend's own id: a process id for local and SSH, the Slurm job id.
    public let remoteID: String
    /// The bundle's folder on the machine that runs it.
    public let remoteDirectory: String
    /// The Quench release of the bundle: returned results must carry the same.
    public let quenchVersion: String
    public let submittedAt: Date

    /// A record of a job the backend accepted.
    public init(id: String, backend: BackendKind, remoteID: String, remoteDirectory: String, quenchVersion: String,
                submittedAt: Date = Date()) {
        self.id = id
        self.backend = backend
        self.remoteID = remoteID
        self.remoteDirectory = remoteDirectory
        self.quenchVersion = quenchVersion
        self.submittedAt = submittedAt
    }

    /// A fresh job id: sortable by time, unique by a random suffix.
    public static func newID(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "q\(formatter.string(from: now))-\(UUID().uuidString.prefix(8).lowercased())"
    }
}

/// Where a job is in its life, in words common to every backend.
public enum JobState: String, Codable, Sendable, CaseIterable {
    case queued, running, succeeded, failed, cancelled
    case timedOut = "timed_out", preempted
    case outOfMemory = "out_of_memory", unknown

    /// Whether the job has ended and will not change state again.
    public var isFinal: Bool {
        switch self {
        case .queued, .running, .unknown: return false
        case .succeeded, .failed, .cancelled, .timedOut, .preempted, .outOfMemory: return true
        }
    }
}

/// A job's state, with what the backend actually said so nothing is lost in the mapping.
public struct JobStatus: Codable, Sendable, Equatable {
    public let state: JobState
    /// The backend's own word for the state (`RUNNING`, `TIMEOUT`, `exited 1`, …).
    public let rawState: String
    /// The training process's exit code, when the backend knows it.
    public let exitCode: Int32?
    /// Extra detail from the backend (a Slurm reason, …), or nil.
    public let detail: String?

    /// A status as reported by a backend.
    public init(state: JobState, rawState: String, exitCode: Int32? = nil, detail: String? = nil) {
        self.state = state
        self.rawState = rawState
        self.exitCode = exitCode
        self.detail = detail
    }
}
