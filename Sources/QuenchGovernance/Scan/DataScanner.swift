import Foundation

/// Scans dataset files for personal data and secrets and applies the policy to what it finds: the
/// data stage of a run, and `quench data scan`.
public struct DataScanner: Sendable {
    /// The policy deciding, per kind, fail, redact or allow.
    public let policy: GovernancePolicy
    /// How many findings (and forbidden findings) the report lists; all are counted.
    public let findingLimit: Int

    /// A scanner applying `policy`, listing at most `findingLimit` findings.
    public init(policy: GovernancePolicy = .standard, findingLimit: Int = 1000) {
        self.policy = policy
        self.findingLimit = findingLimit
    }

    /// Scans every file in order; a line that is not UTF-8 JSON is scanned as text and listed as unreadable.
    /// - Throws: `GovernanceError` when a file cannot be read or holds an over-long line.
    public func scan(files: [URL]) throws -> DataScanReport {
        var report = DataScanReport()
        for kind in PIIKind.allCases { report.actions[kind.rawValue] = policy.action(for: kind) }
        var scanner = RecordScanner(detector: PIIDetector())
        for url in files {
            var records = 0
            var findings = 0
            var unreadable = 0
            let name = url.lastPathComponent
            let bytes = try LineReader.forEachLine(in: url) { line, bytes in
                guard !isBlank(bytes) else { return }
                let scan = scanner.scan(bytes)
                if let problem = scan.unreadable {
                    unreadable += 1
                    report.unreadableCount += 1
                    if report.unreadable.count < findingLimit {
                        report.unreadable.append(UnreadableLine(file: name, line: line, offset: problem.offset,
                                                                reason: problem.reason))
                    }
                } else {
                    records += 1
                }
                for field in scan.fields {
                    findings += field.matches.count
                    record(field, in: bytes, file: name, lineNumber: line, into: &report)
                }
            }
            report.files.append(.init(file: url.path, records: records, bytes: bytes, findings: findings,
                                      unreadable: unreadable))
        }
        return report
    }

    private func record(_ field: FieldScan, in line: UnsafeRawBufferPointer, file: String, lineNumber: Int,
                        into report: inout DataScanReport) {
        field.withValue(in: line) { value in
            for match in field.matches {
                let action = policy.action(for: match.kind)
                report.counts[match.kind.rawValue, default: 0] += 1
                report.totalFindings += 1
                if action == .fail { report.blockingCount += 1 }
                let listed = report.findings.count < findingLimit
                let blocking = action == .fail && report.blocking.count < findingLimit
                guard listed || blocking else { continue }
                let finding = PIIFinding(
                    file: file, line: lineNumber, field: field.field.isEmpty ? "(line)" : field.field,
                    offset: match.start, length: match.end - match.start, kind: match.kind, action: action,
                    excerpt: Masking.excerpt(UnsafeRawBufferPointer(rebasing: value[match.start..<match.end])))
                if listed { report.findings.append(finding) }
                if blocking { report.blocking.append(finding) }
            }
        }
    }
}

/// True when `bytes` holds only spaces, tabs and carriage returns.
func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
    for byte in bytes where byte != 0x20 && byte != 0x09 && byte != 0x0D { return false }
    return true
}
