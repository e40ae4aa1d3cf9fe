/// What a data scan found, for the CLI, the job runner's data stage and the compliance report.
public struct DataScanReport: Codable, Sendable, Equatable {
    /// One scanned file.
    public struct FileSummary: Codable, Sendable, Equatable {
        /// The file's path as given.
        public let file: String
        /// Non-blank lines read as JSON records (unreadable lines not counted).
        public let records: Int
        /// Bytes read.
        public let bytes: Int
        /// Findings of every kind.
        public let findings: Int
        /// Non-blank lines that could not be read as JSON records.
        public let unreadable: Int
    }

    /// The scanned files, in order.
    public var files: [FileSummary] = []
    /// Findings per kind name (kinds without findings absent).
    public var counts: [String: Int] = [:]
    /// The action the policy applies to each kind, by kind name (every kind).
    public var actions: [String: PolicyAction] = [:]
    /// The first findings (up to the scanner's limit), masked.
    public var findings: [PIIFinding] = []
    /// Every finding, including those beyond the limit.
    public var totalFindings = 0
    /// The first findings whose kind the policy forbids, masked.
    public var blocking: [PIIFinding] = []
    /// Every forbidden finding, including those beyond the limit.
    public var blockingCount = 0
    /// The first lines that could not be read as JSON records (up to the scanner's limit).
    public var unreadable: [UnreadableLine] = []
    /// Every unreadable line, including those beyond the limit.
    public var unreadableCount = 0

    /// True when every line was read and no finding is forbidden: the data may go on to training
    /// (after redaction).
    public var passed: Bool { blockingCount == 0 && unreadableCount == 0 }

    /// Creates an empty report.
    public init() {}

    private enum CodingKeys: String, CodingKey {
        case files, counts, actions, findings, totalFindings, blocking, blockingCount, unreadable, unreadableCount, passed
    }

    /// Reads a report written by `encode(to:)`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        files = try container.decode([FileSummary].self, forKey: .files)
        counts = try container.decode([String: Int].self, forKey: .counts)
        actions = try container.decode([String: PolicyAction].self, forKey: .actions)
        findings = try container.decode([PIIFinding].self, forKey: .findings)
        totalFindings = try container.decode(Int.self, forKey: .totalFindings)
        blocking = try container.decode([PIIFinding].self, forKey: .blocking)
        blockingCount = try container.decode(Int.self, forKey: .blockingCount)
        unreadable = try container.decode([UnreadableLine].self, forKey: .unreadable)
        unreadableCount = try container.decode(Int.self, forKey: .unreadableCount)
    }

    /// Writes every field and `passed`, so scripts need not recompute it.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(files, forKey: .files)
        try container.encode(counts, forKey: .counts)
        try container.encode(actions, forKey: .actions)
        try container.encode(findings, forKey: .findings)
        try container.encode(totalFindings, forKey: .totalFindings)
        try container.encode(blocking, forKey: .blocking)
        try container.encode(blockingCount, forKey: .blockingCount)
        try container.encode(unreadable, forKey: .unreadable)
        try container.encode(unreadableCount, forKey: .unreadableCount)
        try container.encode(passed, forKey: .passed)
    }

    /// A human summary: files, counts by kind with their action, and the forbidden findings.
    public func rendered(showFindings: Int = 20) -> String {
        var lines = files.map {
            "\($0.file): \($0.records) records, \($0.bytes) bytes, \($0.findings) findings"
                + ($0.unreadable > 0 ? ", \($0.unreadable) unreadable lines" : "")
        }
        if counts.isEmpty {
            lines.append("no findings")
        } else {
            lines.append("findings by kind:")
            for (kind, count) in counts.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(kind): \(count) (\(actions[kind]?.rawValue ?? "fail"))")
            }
        }
        for finding in findings.prefix(showFindings) { lines.append("  " + finding.summary) }
        if totalFindings > showFindings { lines.append("  … \(totalFindings - showFindings) more (use --json for the first \(findings.count))") }
        for line in unreadable.prefix(showFindings) { lines.append("  " + line.summary) }
        if unreadableCount > 0 {
            lines.append("FAIL: \(unreadableCount) lines cannot be read as JSON records, so they cannot be scanned "
                         + "field by field; fix or remove them and scan again")
        }
        if blockingCount == 0 {
            if passed { lines.append("PASS: no finding is forbidden by the policy") }
        } else {
            let kinds = Set(blocking.map(\.kind.rawValue)).sorted().joined(separator: ", ")
            lines.append("FAIL: \(blockingCount) findings of kinds the policy forbids (\(kinds)); "
                         + "remove or redact them (`quench data redact`) before training")
        }
        return lines.joined(separator: "\n")
    }
}
