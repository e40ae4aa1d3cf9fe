import Foundation

/// The verdict of a gate as `gate.json` holds it (schema `quench.gate/v1`): whether the tuned
/// model passed, one line why, every check, every set's results, and every file the verdict
/// depends on with its sha256, so the registry can re-hash them and anyone can reproduce it.
public struct GateReport: Codable, Sendable, Equatable {
    /// A file the verdict depends on.
    public struct File: Codable, Sendable, Equatable {
        /// `gate`, `eval_set`, `base_model`, `tuned_model` or `adapter`.
        public let role: String
        /// Absolute.
        public let path: String
        public let sha256: String
    }

    /// One set as the gate saw it: its role and its base and tuned results.
    public struct SetResult: Codable, Sendable, Equatable {
        public let role: String
        public let format: String
        public let comparison: SetComparison
    }

    public static let schemaName = "quench.gate/v1"

    public let schema: String
    public let passed: Bool
    /// One line: which check failed and by how much, or that all passed.
    public let reason: String
    public let quenchVersion: String
    public let windowing: String
    public let context: Int
    public let gate: String
    public let baseModel: String
    public let tuned: String
    /// `adapter` or `model`.
    public let tunedKind: String
    public let checks: [GateCheck]
    public let files: [File]
    public let results: [SetResult]
    /// ISO 8601, UTC.
    public let evaluatedAt: String

    enum CodingKeys: String, CodingKey {
        case schema, passed, reason, windowing, context, gate, tuned, checks, files, results
        case quenchVersion = "quench_version", baseModel = "base_model", tunedKind = "tuned_kind"
        case evaluatedAt = "evaluated_at"
    }

    /// The one-line reason for a list of checks.
    static func reason(_ checks: [GateCheck], sets: Int) -> String {
        let failed = checks.filter { !$0.passed }
        guard let first = failed.first else {
            return "passed: all \(checks.count) checks held on \(sets) set\(sets == 1 ? "" : "s")"
        }
        let more = failed.count > 1 ? " (and \(failed.count - 1) more failed check\(failed.count == 2 ? "" : "s"))" : ""
        return "failed \(first.explanation)\(more)"
    }
}
