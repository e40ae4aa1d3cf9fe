import Crypto
import QuenchData

/// A dataset's identity for lineage and erasure: SHA-256 over the canonical form of its records, in
/// order, followed by their count. The canonical form keeps only what training reads (format, roles,
/// texts) with length prefixes, so reformatting the JSON (key order, whitespace, escapes, extra keys
/// such as ids) keeps the fingerprint while any change to a training text or the removal of a record
/// changes it. (QuenchTrain's `DatasetFingerprint` hashes the file's bytes instead.)
public struct CanonicalFingerprint: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Lower-case hex SHA-256 of the canonical records and their count.
    public let sha256: String
    /// Number of records hashed.
    public let records: Int
    /// The records' format.
    public let format: DatasetFormat

    /// Creates a fingerprint from its parts.
    public init(sha256: String, records: Int, format: DatasetFormat) {
        self.sha256 = sha256
        self.records = records
        self.format = format
    }

    /// `sha256:<hex>`, the form stored in runs and in the registry's lineage.
    public var description: String { "sha256:\(sha256)" }
}

/// Accumulates canonical records into a fingerprint.
struct CanonicalHasher {
    private var hasher = SHA256()
    private(set) var records = 0

    /// The canonical bytes of a record: its format name and each of its texts, length-prefixed.
    static func canonicalBytes(format: DatasetFormat, texts: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        func append(_ text: String) {
            var length = UInt64(text.utf8.count).littleEndian
            withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: text.utf8)
        }
        append(format.rawValue)
        texts.forEach(append)
        return bytes
    }

    mutating func add(_ canonical: [UInt8]) {
        hasher.update(data: canonical)
        records += 1
    }

    func finish(format: DatasetFormat) -> CanonicalFingerprint {
        var final = hasher
        final.update(data: Array("records=\(records)".utf8))
        let hex = final.finalize().map { String(format: "%02x", $0) }.joined()
        return CanonicalFingerprint(sha256: hex, records: records, format: format)
    }
}
