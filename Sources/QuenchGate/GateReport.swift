import Foundation

/// The verdict of a gate as `gate.json` holds it (schema `quench.gate/v1`): whether the tuned
/// model passed, one line why, every check, every set's results (loss sets in `results`, generative
/// sets in `tasks`), and every file the verdict depends on with its sha256, so the registry can
/// re-hash them and anyone can reproduce it.
public struct GateReport: Codable, Sendable, Equatable {
    /// What a file is to the verdict, stored as its raw value; a report naming any other role is refused when read.
    public enum FileRole: String, Codable, Sendable, CaseIterable {
        /// The gate file itself.
        case gate
        /// One of the gate's evaluation sets.
        case evalSet = "eval_set"
        /// A file of the base model.
        case baseModel = "base_model"
        /// A file of the tuned model (full fine-tuning).
        case tunedModel = "tuned_model"
        /// A file of the tuned adapter (LoRA).
        case adapter

        /// The role of the files of a tuned model of `kind`.
        public static func tuned(_ kind: TunedModelKind) -> FileRole {
            switch kind {
            case .adapter: return .adapter
            case .model: return .tunedModel
            }
        }

        /// Whether files of this role are the evaluated model itself.
        public var isTuned: Bool { self == .tunedModel || self == .adapter }
    }

    /// A file the verdict depends on.
    public struct File: Codable, Sendable, Equatable {
        public let role: FileRole
        /// Absolute.
        public let path: String
        public let sha256: String

        /// A file with its role and sha256.
        public init(role: FileRole, path: String, sha256: String) {
            (self.role, self.path, self.sha256) = (role, path, sha256)
        }
    }

    /// One set as the gate saw it: its role and its base and tuned results.
    public struct SetResult: Codable, Sendable, Equatable {
        public let role: GateSetRole
        /// The set's dataset format, `txt`, or `auto` when detected.
        public let format: String
        public let comparison: SetComparison

        /// A set's record.
        public init(role: GateSetRole, format: String, comparison: SetComparison) {
            (self.role, self.format, self.comparison) = (role, format, comparison)
        }
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
    public let tunedKind: TunedModelKind
    public let checks: [GateCheck]
    public let files: [File]
    public let results: [SetResult]
    /// Each generative set's accuracies and, when a check on it failed, a few wrong answers; empty in a
    /// report written before Quench had generative sets.
    public let tasks: [GateTaskResult]
    /// ISO 8601, UTC.
    public let evaluatedAt: String

    enum CodingKeys: String, CodingKey {
        case schema, passed, reason, windowing, context, gate, tuned, checks, files, results, tasks
        case quenchVersion = "quench_version", baseModel = "base_model", tunedKind = "tuned_kind"
        case evaluatedAt = "evaluated_at"
    }

    /// A report with every field given.
    public init(schema: String = GateReport.schemaName, passed: Bool, reason: String, quenchVersion: String,
                windowing: String, context: Int, gate: String, baseModel: String, tuned: String,
                tunedKind: TunedModelKind, checks: [GateCheck], files: [File], results: [SetResult],
                tasks: [GateTaskResult] = [], evaluatedAt: String) {
        (self.schema, self.passed, self.reason, self.quenchVersion) = (schema, passed, reason, quenchVersion)
        (self.windowing, self.context, self.gate, self.baseModel) = (windowing, context, gate, baseModel)
        (self.tuned, self.tunedKind, self.checks, self.files) = (tuned, tunedKind, checks, files)
        (self.results, self.tasks, self.evaluatedAt) = (results, tasks, evaluatedAt)
    }

    /// Reads a report; one written before generative sets existed has no `tasks`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(schema: try c.decode(String.self, forKey: .schema), passed: try c.decode(Bool.self, forKey: .passed),
                  reason: try c.decode(String.self, forKey: .reason),
                  quenchVersion: try c.decode(String.self, forKey: .quenchVersion),
                  windowing: try c.decode(String.self, forKey: .windowing), context: try c.decode(Int.self, forKey: .context),
                  gate: try c.decode(String.self, forKey: .gate), baseModel: try c.decode(String.self, forKey: .baseModel),
                  tuned: try c.decode(String.self, forKey: .tuned),
                  tunedKind: try c.decode(TunedModelKind.self, forKey: .tunedKind),
                  checks: try c.decode([GateCheck].self, forKey: .checks), files: try c.decode([File].self, forKey: .files),
                  results: try c.decode([SetResult].self, forKey: .results),
                  tasks: try c.decodeIfPresent([GateTaskResult].self, forKey: .tasks) ?? [],
                  evaluatedAt: try c.decode(String.self, forKey: .evaluatedAt))
    }

    /// The one-line reason for a list of checks.
    public static func reason(_ checks: [GateCheck], sets: Int) -> String {
        let failed = checks.filter { !$0.passed }
        guard let first = failed.first else {
            return "passed: all \(checks.count) checks held on \(sets) set\(sets == 1 ? "" : "s")"
        }
        let more = failed.count > 1 ? " (and \(failed.count - 1) more failed check\(failed.count == 2 ? "" : "s"))" : ""
        return "failed \(first.explanation)\(more)"
    }
}

/// What a set of a gate guards.
public enum GateSetRole: String, Codable, Sendable, Equatable, CaseIterable {
    /// The task the model was tuned for: perplexity, loss and improvement thresholds apply to a loss
    /// set, `min_accuracy` and `min_accuracy_gain` to a generative one.
    case task
    /// General text: `max_regression` applies to a loss set, `max_accuracy_drop` to a generative one
    /// (both guard against catastrophic forgetting).
    case general
}

/// What fine-tuning produced: LoRA adapters or a whole model, as gate.json's `tuned_kind` names it.
public enum TunedModelKind: String, Codable, Sendable, CaseIterable {
    case adapter
    case model
}
