import Foundation
import QuenchSecurity

/// What identifies a dataset for lineage and resumption: the file's bytes and how they were read.
public struct DatasetFingerprint: Codable, Equatable, Sendable {
    /// The file's name.
    public let file: String
    /// Lower-case hex SHA-256 of the file's bytes.
    public let sha256: String
    /// Number of records (non-blank lines).
    public let records: Int
    /// The record layout used.
    public let format: DatasetFormat

    /// Creates a fingerprint from its parts.
    public init(file: String, sha256: String, records: Int, format: DatasetFormat) {
        self.file = file
        self.sha256 = sha256
        self.records = records
        self.format = format
    }

    /// Hashes `url` (streamed) and records how many records of `format` it held.
    public init(url: URL, records: Int, format: DatasetFormat) throws {
        let digest: String
        do {
            digest = try FileDigest.sha256(of: url)
        } catch {
            throw DatasetError.unreadable(file: url.lastPathComponent, reason: "\(error)")
        }
        self.init(file: url.lastPathComponent, sha256: digest, records: records, format: format)
    }
}
