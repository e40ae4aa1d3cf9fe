import Foundation
import QuenchConfig

extension GovernancePolicy {
    /// Known keys of every section; the kinds under `pii.kinds` are the detectors' names.
    static let schema: [String: [String]] = [
        "": ["pii", "data_checks", "retention"],
        "pii": ["default", "kinds"],
        "pii.kinds": PIIKind.knownNames,
        "data_checks": ["max_record_bytes", "near_duplicate_distance"],
        "retention": ["runs_days", "logs_days", "runs_directory", "logs_directory"],
    ]

    /// The policy in the YAML file at `url`.
    /// - Throws: `ConfigFileError` naming the file, and for an invalid policy every problem with its
    ///   line, column and key (an unknown kind with the closest known one).
    public static func load(contentsOf url: URL) throws -> GovernancePolicy {
        try read(ConfigDocument(contentsOf: url.path))
    }

    /// The policy in `yaml`; `file` names it in errors.
    public static func parse(yaml: String, file: String) throws -> GovernancePolicy {
        try read(ConfigDocument(yaml: yaml, file: file))
    }

    private static func read(_ document: ConfigDocument) throws(ConfigFileError) -> GovernancePolicy {
        try document.read(schema: schema) { r, node in
            let root = r.root(node)
            let defaults = GovernancePolicy()
            return GovernancePolicy(defaultAction: readDefaultAction(&r, in: root, default: defaults.defaultAction),
                                    actions: readActions(&r, in: root), checks: readChecks(&r, in: root),
                                    retention: readRetention(&r, in: root))
        }
    }

    private static func readDefaultAction(_ r: inout ConfigReader, in root: ConfigReader.Section,
                                          default fallback: PolicyAction) -> PolicyAction {
        let pii = r.section("pii", in: root)
        return r.value("default", in: pii, default: fallback, expected: ConfigReader.choices(PolicyAction.self),
                       PolicyAction.init(rawValue:))
    }

    /// The actions of `pii.kinds`, by kind.
    private static func readActions(_ r: inout ConfigReader, in root: ConfigReader.Section) -> [PIIKind: PolicyAction] {
        let kinds = r.section("kinds", in: r.section("pii", in: root))
        var actions: [PIIKind: PolicyAction] = [:]
        for kind in PIIKind.allCases {
            actions[kind] = r.optional(kind.rawValue, in: kinds, absent: nil,
                                       expected: ConfigReader.choices(PolicyAction.self), PolicyAction.init(rawValue:))
        }
        return actions
    }

    private static func readChecks(_ r: inout ConfigReader, in root: ConfigReader.Section) -> DatasetCheckLimits {
        let s = r.section("data_checks", in: root)
        let defaults = DatasetCheckLimits()
        return DatasetCheckLimits(
            maximumRecordBytes: r.value("max_record_bytes", in: s, default: defaults.maximumRecordBytes,
                                        expected: "a whole number", requirement: .within(1...(1 << 30)),
                                        ConfigReader.integer),
            nearDuplicateDistance: r.value("near_duplicate_distance", in: s, default: defaults.nearDuplicateDistance,
                                           expected: "a whole number", requirement: .within(0...32),
                                           ConfigReader.integer))
    }

    private static func readRetention(_ r: inout ConfigReader, in root: ConfigReader.Section) -> RetentionPolicy {
        let s = r.section("retention", in: root)
        let defaults = RetentionPolicy()
        func days(_ key: String, _ fallback: Int) -> Int {
            r.value(key, in: s, default: fallback, expected: "a whole number of days", requirement: .within(0...36_500),
                    ConfigReader.integer)
        }
        func folder(_ key: String, _ fallback: String) -> String {
            r.value(key, in: s, default: fallback, expected: "a folder", requirement: .nonEmpty, ConfigReader.text)
        }
        return RetentionPolicy(runsDays: days("runs_days", defaults.runsDays), logsDays: days("logs_days", defaults.logsDays),
                               runsDirectory: folder("runs_directory", defaults.runsDirectory),
                               logsDirectory: folder("logs_directory", defaults.logsDirectory))
    }
}
