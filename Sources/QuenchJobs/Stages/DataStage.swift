import Foundation
import QuenchFiles
import QuenchGovernance
import QuenchSecurity
import QuenchTrain
import QuenchData

/// Stage 3: scans the training data for personal data and secrets under the job's policy, checks
/// every record, and fingerprints the datasets. A finding the policy marks `fail`, or a broken
/// dataset, stops the run here (with data-checks.json saying why); kinds marked `redact` are
/// replaced in copies inside the run folder, and training reads those copies.
///
/// Everything here reads copies of the datasets made in the run folder from bytes that hashed to
/// what the verify stage recorded (`inputs/<role>.<ext>`): what is scanned, checked, redacted and
/// trained on is what was verified, whatever happens to the original files afterwards.
struct DataStage: Stage {
    /// A dataset's canonical fingerprint (sha256 of the canonical records plus their count).
    struct Fingerprint: Codable, Sendable {
        let role: DatasetRole
        let path: String
        let sha256: String
        let records: Int

        /// The fingerprint in `report`, the check of the dataset with `role`.
        init?(role: DatasetRole, report: DatasetCheckReport) {
            guard let fingerprint = report.fingerprint else { return nil }
            self.role = role
            path = report.file
            sha256 = fingerprint.sha256
            records = fingerprint.records
        }
    }

    /// What the data stage found and decided.
    struct Output: Codable, Sendable {
        let policy: String
        let scan: DataScanReport
        /// Each dataset's check report, under its role.
        let checks: Datasets<DatasetCheckReport>
        /// Validation records also in the training set (nil without a validation file).
        let overlap: Int?
        /// The fingerprint of each dataset with valid records, taken from its own report.
        let fingerprints: [Fingerprint]
        let redactions: [RedactionReport]
        /// The files training reads, by dataset role: the verified copies, or their redacted copies.
        let trainingFiles: Datasets<String>

        init(policy: String, scan: DataScanReport, checks: Datasets<DatasetCheckReport>, overlap: Int?,
             redactions: [RedactionReport], trainingFiles: Datasets<String>) {
            self.policy = policy
            self.scan = scan
            self.checks = checks
            self.overlap = overlap
            fingerprints = checks.all.compactMap { Fingerprint(role: $0.role, report: $0.value) }
            self.redactions = redactions
            self.trainingFiles = trainingFiles
        }

        /// The check reports in role order (train, then validation).
        var orderedChecks: [DatasetCheckReport] { checks.all.map(\.value) }

        /// The fingerprint of the dataset with `role`, if it had valid records.
        func fingerprint(of role: DatasetRole) -> Fingerprint? { fingerprints.first { $0.role == role } }
    }

    static let name = StageName.data
    let context: RunContext
    let verify: VerifyStage.Output

    func inputs() throws -> [String: String] {
        var inputs = ["data": verify.checks.filter { $0.role != .model }.map { "\($0.role.rawValue):\($0.file.sha256)" }
                        .joined(separator: ";"),
                      "format": context.spec.training.data.format?.rawValue ?? "detect"]
        if let policy = context.spec.policy { inputs["policy"] = policy + "#" + FileRecord.stamp(policy) }
        return inputs
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let spec = context.spec
        let policy = try spec.policy.map { try GovernancePolicy.load(contentsOf: URL(fileURLWithPath: $0)) } ?? .standard
        let verified = VerifiedInputs(verify.checks)
        let files = try spec.data.files.map { role, original -> URL in
            let copy = context.directory.url.appendingPathComponent("inputs/\(role.rawValue)")
                .appendingPathExtension((original as NSString).pathExtension)
            try verified.copy(original, to: copy)
            return copy
        }
        let scan = try DataScanner(policy: policy).scan(files: files.all.map(\.value))
        events(.message("scanned \(scan.files.reduce(0) { $0 + $1.records }) records: \(scan.totalFindings) finding(s)"))

        let format = spec.training.data.format.flatMap { DatasetFormat(rawValue: $0.rawValue) }
        let checker = DatasetChecker(limits: policy.checks, format: format)
        let checks: Datasets<DatasetCheckReport>
        var overlap: Int?
        if let validation = files.validation {
            let pair = try checker.check(train: files.train, validation: validation)
            checks = Datasets(train: pair.train, validation: pair.validation)
            overlap = pair.overlappingRecords
        } else {
            checks = Datasets(train: try checker.check(files.train))
        }
        let ordered = checks.all.map(\.value)
        let evidence = context.directory.url.appendingPathComponent("data-checks.json")
        try AtomicFile.writeJSON(DataEvidence(scan: scan, checks: ordered, overlap: overlap), to: evidence)
        if let problem = Self.problem(scan: scan, checks: ordered, overlap: overlap) {
            throw RunError.dataRejected(reason: problem, report: evidence.path)
        }

        let redactedKinds = Set(scan.counts.compactMap { name, count in
            count > 0 && scan.actions[name] == .redact ? PIIKind(rawValue: name) : nil
        })
        var redactions: [RedactionReport] = []
        var trainingFiles = files.map { $1.path }
        if !redactedKinds.isEmpty {
            let redactor = Redactor(kinds: redactedKinds, style: .placeholder)
            trainingFiles = try files.map { role, input in
                let output = context.directory.url.appendingPathComponent("data/\(role.rawValue).redacted.jsonl")
                try FileManager.default.createDirectory(at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
                redactions.append(try redactor.redact(input: input, output: output))
                return output.path
            }
            events(.message("redacted \(redactedKinds.map(\.rawValue).sorted().joined(separator: ", ")) before training"))
        }
        return Output(policy: spec.policy ?? "built-in standard policy", scan: scan, checks: checks, overlap: overlap,
                      redactions: redactions, trainingFiles: trainingFiles)
    }

    static func summary(_ output: Output) -> String {
        let records = output.orderedChecks.map { "\($0.records)" }.joined(separator: " + ")
        let redacted = output.redactions.isEmpty ? "" : ", \(output.redactions.reduce(0) { $0 + $1.changedRecords }) record(s) redacted"
        return "\(records) records, \(output.scan.totalFindings) PII finding(s)\(redacted), fingerprints recorded"
    }

    /// The first reason the data cannot be trained on, or nil.
    static func problem(scan: DataScanReport, checks: [DatasetCheckReport], overlap: Int?) -> String? {
        if let first = scan.unreadable.first {
            return "\(scan.unreadableCount) line(s) cannot be read as JSON records, the first \(first.summary)"
        }
        if scan.blockingCount > 0 {
            let kinds = scan.counts.filter { scan.actions[$0.key] == .fail && $0.value > 0 }
                .sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            return "\(scan.blockingCount) finding(s) the policy forbids (\(kinds.joined(separator: ", ")))"
        }
        if let broken = checks.first(where: { !$0.passed }) {
            let issues = broken.issueCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            return "\(broken.file): " + (broken.records == 0 ? "no records" : issues)
        }
        if let overlap, overlap > 0 {
            return "\(overlap) validation record(s) also appear in the training data"
        }
        return nil
    }
}

/// data-checks.json: the evidence behind the data stage's decision.
struct DataEvidence: Encodable {
    let scan: DataScanReport
    let checks: [DatasetCheckReport]
    let overlap: Int?
}
