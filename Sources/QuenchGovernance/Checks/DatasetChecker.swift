import Crypto
import Foundation
import QuenchData

/// Checks JSONL datasets: every line valid UTF-8, valid JSON and a valid record of its format, no
/// empty or over-long records; counts exact and near duplicates and train/validation overlap; and
/// computes the canonical fingerprint.
public struct DatasetChecker: Sendable {
    /// Record length and near-duplicate limits.
    public let limits: DatasetCheckLimits
    /// The declared format, or nil to detect it from the first valid record.
    public let format: DatasetFormat?
    /// How many issues a report lists (all are counted).
    public let issueLimit: Int

    /// A checker with `limits` for records of `format` (nil: detected).
    public init(limits: DatasetCheckLimits = DatasetCheckLimits(), format: DatasetFormat? = nil, issueLimit: Int = 100) {
        self.limits = limits
        self.format = format
        self.issueLimit = issueLimit
    }

    /// Checks one file.
    public func check(_ url: URL) throws -> DatasetCheckReport {
        var index = DatasetIndex()
        return try check(url, into: &index, against: nil).report
    }

    /// Checks a training file and its validation file, and counts validation records found in training.
    public func check(train: URL, validation: URL) throws -> DatasetPairReport {
        var trainIndex = DatasetIndex()
        let trainReport = try check(train, into: &trainIndex, against: nil).report
        var validationIndex = DatasetIndex()
        let result = try check(validation, into: &validationIndex, against: trainIndex)
        return DatasetPairReport(train: trainReport, validation: result.report,
                                 overlappingRecords: result.overlap, nearOverlappingRecords: result.nearOverlap)
    }

    /// The canonical fingerprint of the valid records of `url`.
    /// - Throws: `GovernanceError` when the file cannot be read or holds no valid record.
    public func fingerprint(of url: URL) throws -> CanonicalFingerprint {
        let report = try check(url)
        guard let fingerprint = report.fingerprint else {
            throw GovernanceError.unreadable(path: url.path, reason: "it holds no valid record to fingerprint")
        }
        return fingerprint
    }

    private func check(_ url: URL, into index: inout DatasetIndex, against other: DatasetIndex?)
        throws -> (report: DatasetCheckReport, overlap: Int, nearOverlap: Int) {
        var report = DatasetCheckReport(file: url.path)
        report.format = format
        var hasher = CanonicalHasher()
        var overlap = 0
        var nearOverlap = 0
        func issue(_ line: Int, _ kind: DatasetIssue.Kind, _ detail: String) {
            report.issueCounts[kind.rawValue, default: 0] += 1
            if report.issues.count < issueLimit { report.issues.append(DatasetIssue(line: line, kind: kind, detail: detail)) }
        }
        try LineReader.forEachLine(in: url) { line, bytes in
            guard !isBlank(bytes) else { return }
            report.lines += 1
            guard bytes.count <= limits.maximumRecordBytes else {
                return issue(line, .tooLong, "\(bytes.count) bytes, the limit is \(limits.maximumRecordBytes) (data_checks.max_record_bytes)")
            }
            guard String(validating: bytes, as: UTF8.self) != nil else {
                return issue(line, .invalidUTF8, "not valid UTF-8; re-encode the file as UTF-8")
            }
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
            } catch {
                return issue(line, .notJSON, "not valid JSON; each line must hold one JSON object")
            }
            guard let object = parsed as? [String: Any] else {
                return issue(line, .invalidRecord, "expected a JSON object")
            }
            let recordFormat: DatasetFormat
            switch RecordFields.format(of: object, declared: report.format) {
            case .success(let found): recordFormat = found
            case .failure(let problem): return issue(line, .invalidRecord, problem.detail)
            }
            let texts: [String]
            switch RecordFields.texts(of: object, format: recordFormat) {
            case .success(let found): texts = found
            case .failure(let problem): return issue(line, .invalidRecord, problem.detail)
            }
            report.format = recordFormat
            guard RecordFields.hasContent(texts, format: recordFormat) else {
                return issue(line, .emptyRecord, "the record's texts are empty or only whitespace")
            }
            report.records += 1
            let canonical = CanonicalHasher.canonicalBytes(format: recordFormat, texts: texts)
            hasher.add(canonical)
            let key = DigestKey(canonical)
            let simHash = SimHash.of(texts.joined(separator: " "))
            if index.exact.contains(key) {
                report.exactDuplicates += 1
            } else if let simHash, index.near.containsNear(simHash, distance: limits.nearDuplicateDistance) {
                report.nearDuplicates += 1
            }
            if let other {
                if other.exact.contains(key) { overlap += 1 }
                else if let simHash, other.near.containsNear(simHash, distance: limits.nearDuplicateDistance) { nearOverlap += 1 }
            }
            index.exact.insert(key)
            if let simHash { index.near.insert(simHash) }
        }
        if let recordFormat = report.format, hasher.records > 0 { report.fingerprint = hasher.finish(format: recordFormat) }
        return (report, overlap, nearOverlap)
    }
}

/// What has been seen of a dataset: exact record digests and SimHashes.
private struct DatasetIndex {
    var exact = Set<DigestKey>()
    var near = SimHashIndex()
}

/// The first 128 bits of a record's SHA-256: a set key without keeping the records in memory.
private struct DigestKey: Hashable {
    let high: UInt64
    let low: UInt64

    init(_ bytes: [UInt8]) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (position, byte) in SHA256.hash(data: bytes).prefix(16).enumerated() {
            if position < 8 { high = high << 8 | UInt64(byte) } else { low = low << 8 | UInt64(byte) }
        }
        self.high = high
        self.low = low
    }
}
