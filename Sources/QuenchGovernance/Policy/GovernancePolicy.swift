import Foundation

/// The data-governance policy of `configs/governance.yaml`: what to do with each kind of finding,
/// the limits of the dataset checks, and how long runs and logs are kept.
public struct GovernancePolicy: Sendable, Equatable {
    /// The action for kinds not listed in `actions`.
    public var defaultAction: PolicyAction
    /// Per-kind actions.
    public var actions: [PIIKind: PolicyAction]
    /// Dataset-check limits.
    public var checks: DatasetCheckLimits
    /// Retention of runs and logs.
    public var retention: RetentionPolicy

    /// Creates a policy from its parts.
    public init(defaultAction: PolicyAction = .fail, actions: [PIIKind: PolicyAction] = [:],
                checks: DatasetCheckLimits = DatasetCheckLimits(), retention: RetentionPolicy = RetentionPolicy()) {
        self.defaultAction = defaultAction
        self.actions = actions
        self.checks = checks
        self.retention = retention
    }

    /// The policy used when no file is given: secrets and identity or financial numbers stop the run,
    /// contact details are redacted, IP addresses are reported.
    public static let standard = GovernancePolicy(
        defaultAction: .fail,
        actions: [.email: .redact, .phone: .redact, .ipv4: .allow, .ipv6: .allow])

    /// The action for `kind`.
    public func action(for kind: PIIKind) -> PolicyAction { actions[kind] ?? defaultAction }

    /// The kinds a redaction replaces: every kind not allowed.
    public var redactedKinds: Set<PIIKind> { Set(PIIKind.allCases.filter { action(for: $0) != .allow }) }
}

/// Limits of the dataset checks.
public struct DatasetCheckLimits: Sendable, Equatable {
    /// Longest record (JSONL line) accepted, in bytes.
    public var maximumRecordBytes: Int
    /// Two records whose 64-bit SimHashes differ in at most this many bits are near duplicates.
    public var nearDuplicateDistance: Int

    /// Creates limits (defaults: 1 MiB records, 3 bits).
    public init(maximumRecordBytes: Int = 1 << 20, nearDuplicateDistance: Int = 3) {
        self.maximumRecordBytes = maximumRecordBytes
        self.nearDuplicateDistance = nearDuplicateDistance
    }
}

/// How long runs and logs are kept before `quench gc` removes them.
public struct RetentionPolicy: Sendable, Equatable {
    /// Age in days after which a run directory is removed.
    public var runsDays: Int
    /// Age in days after which a log file is removed.
    public var logsDays: Int
    /// Where runs live, relative to the working directory.
    public var runsDirectory: String
    /// Where logs live, relative to the working directory.
    public var logsDirectory: String

    /// Creates a retention policy (defaults: 30 days, `runs/` and `logs/`).
    public init(runsDays: Int = 30, logsDays: Int = 30, runsDirectory: String = "runs", logsDirectory: String = "logs") {
        self.runsDays = runsDays
        self.logsDays = logsDays
        self.runsDirectory = runsDirectory
        self.logsDirectory = logsDirectory
    }
}
