import QuenchData

/// One problem with one line of a dataset.
public struct DatasetIssue: Codable, Sendable, Equatable {
    /// What is wrong.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case invalidUTF8 = "invalid_utf8"
        case notJSON = "not_json"
        case invalidRecord = "invalid_record"
        case emptyRecord = "empty_record"
        case tooLong = "too_long"
    }

    /// 1-based line number.
    public let line: Int
    /// What is wrong.
    public let kind: Kind
    /// What was expected and found.
    public let detail: String
}

/// The result of checking one dataset file.
public struct DatasetCheckReport: Codable, Sendable, Equatable {
    /// The file's path as given.
    public let file: String
    /// The declared format, or the one detected from the first valid record; nil when none was valid.
    public var format: DatasetFormat?
    /// Non-blank lines.
    public var lines = 0
    /// Records valid for the format (duplicates included).
    public var records = 0
    /// The first issues, in line order.
    public var issues: [DatasetIssue] = []
    /// Issues per kind name, all of them.
    public var issueCounts: [String: Int] = [:]
    /// Records identical (in canonical form) to an earlier record.
    public var exactDuplicates = 0
    /// Records within a few SimHash bits of an earlier record, not counting exact duplicates.
    public var nearDuplicates = 0
    /// The canonical fingerprint of the valid records; nil when there are none.
    public var fingerprint: CanonicalFingerprint?

    /// True when every non-blank line is a valid, non-empty record of acceptable length.
    public var passed: Bool { issueCounts.isEmpty && records > 0 }

    /// Creates an empty report for `file`.
    public init(file: String) { self.file = file }

    /// Human lines: counts, duplicates, fingerprint and the first issues.
    public func rendered(showIssues: Int = 20) -> String {
        var lines = ["\(file): \(records) valid records of \(self.lines) (format \(format?.rawValue ?? "unknown")), "
                     + "\(exactDuplicates) exact and \(nearDuplicates) near duplicates"]
        if let fingerprint { lines.append("  fingerprint \(fingerprint)") }
        for (kind, count) in issueCounts.sorted(by: { $0.key < $1.key }) { lines.append("  \(kind): \(count)") }
        for issue in issues.prefix(showIssues) { lines.append("  line \(issue.line): \(issue.kind.rawValue): \(issue.detail)") }
        lines.append(passed ? "  PASS" : "  FAIL: fix the lines above (or remove them) and check again")
        return lines.joined(separator: "\n")
    }
}

/// The checks of a training file and its validation file together.
public struct DatasetPairReport: Codable, Sendable, Equatable {
    /// The training file's report.
    public let train: DatasetCheckReport
    /// The validation file's report.
    public let validation: DatasetCheckReport
    /// Validation records identical (canonically) to a training record: evaluation on them is leaked.
    public let overlappingRecords: Int
    /// Validation records near a training record (SimHash), not counting identical ones.
    public let nearOverlappingRecords: Int

    /// True when both files pass and no validation record also appears in training.
    public var passed: Bool { train.passed && validation.passed && overlappingRecords == 0 }
}
