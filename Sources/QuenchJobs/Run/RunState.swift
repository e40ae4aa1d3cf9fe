import Foundation
import QuenchFiles
import QuenchSecurity

/// `state.json` of a run directory: what ran, with which inputs, how it ended. It is rewritten
/// atomically after every stage, so a crash or `kill -9` leaves the last finished stage recorded.
public struct RunState: Codable, Sendable {
    /// How a run or a stage stands.
    public enum Status: String, Codable, Sendable {
        case running, succeeded, failed, rejected, skipped, interrupted
    }

    /// One stage's record.
    public struct StageRecord: Codable, Sendable {
        public var name: StageName
        public var status: Status
        /// sha256 of the stage's inputs (canonical JSON): equal inputs on a re-run skip the stage.
        public var inputsSHA256: String
        public var startedAt: Date
        public var finishedAt: Date?
        public var seconds: Double?
        /// One line for people: what came out, or why it failed.
        public var summary: String

        enum CodingKeys: String, CodingKey {
            case name, status, summary, seconds
            case inputsSHA256 = "inputs_sha256", startedAt = "started_at", finishedAt = "finished_at"
        }
    }

    public var schema = "quench.run/v1"
    public var job: String
    /// The spec the run was started from, and its sha256 at the last (re)start.
    public var spec: String
    public var specSHA256: String
    public var quenchVersion: String
    public var createdAt: Date
    public var updatedAt: Date
    public var status: Status
    /// The process running it while `status` is `running` (a dead pid means it was killed).
    public var pid: Int32?
    public var stages: [StageRecord]

    enum CodingKeys: String, CodingKey {
        case schema, job, spec, status, pid, stages
        case specSHA256 = "spec_sha256", quenchVersion = "quench_version", createdAt = "created_at",
             updatedAt = "updated_at"
    }

    /// The record of `name`, if the stage has started at least once.
    public func record(_ name: StageName) -> StageRecord? { stages.first { $0.name == name } }

    mutating func upsert(_ record: StageRecord) {
        if let index = stages.firstIndex(where: { $0.name == record.name }) {
            stages[index] = record
        } else {
            stages.append(record)
        }
    }

    /// The status a reader should see: a `running` run whose process is gone was interrupted.
    public var observedStatus: Status {
        guard status == .running, let pid else { return status }
        return kill(pid, 0) == 0 || errno == EPERM ? .running : .interrupted
    }

    /// Reads `state.json` from `directory`.
    public static func load(from directory: URL) throws -> RunState {
        let url = directory.appendingPathComponent("state.json")
        guard FileManager.default.fileExists(atPath: url.path) else { throw RunError.notARun(directory: directory.path) }
        return try RunFiles.decode(RunState.self, from: url)
    }

    func save(to directory: URL) throws {
        try AtomicFile.writeJSON(self, to: directory.appendingPathComponent("state.json"))
    }
}

/// The JSON coders every run file uses (ISO 8601 dates, sorted keys).
enum RunFiles {
    /// Reads what `AtomicFile.writeJSON` writes.
    static let decoder = JSONCoding.decoder

    /// Compact, key-sorted: the bytes digested and re-decoded.
    static let encoder = JSONCoding.lineEncoder

    /// For files people read: indented as well.
    static let prettyEncoder = JSONCoding.fileEncoder

    /// Largest run file (state.json, a stage record) read: they hold a few kilobytes.
    static let maximumRunFileBytes = 64 << 20

    /// Reads a run file, failing with the file named and, for a damaged one, the key path or line at fault.
    static func decode<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        do {
            return try JSONFile.read(T.self, from: url, limit: maximumRunFileBytes, decoder: decoder)
        } catch {
            throw RunError.corruptState(file: url.path, reason: error.reason)
        }
    }

    /// sha256 of `value` as canonical (key-sorted, compact) JSON.
    static func digest<T: Encodable>(_ value: T) throws -> String {
        FileDigest.sha256(of: try encoder.encode(value))
    }
}
