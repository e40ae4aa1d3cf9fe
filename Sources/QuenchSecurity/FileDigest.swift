import Crypto
import Foundation

/// SHA-256 of files, streamed in 1 MiB blocks so a multi-gigabyte model never sits in memory.
public enum FileDigest {
    /// Errors reading the file being hashed.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unreadable(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let reason): return "cannot hash \(path): \(reason)"
            }
        }
    }

    /// Lower-case hex SHA-256 of the file at `url`.
    public static func sha256(of url: URL) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw Failure.unreadable(path: url.path, reason: "it does not exist or is not readable")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
                hasher.update(data: block)
            }
        } catch {
            throw Failure.unreadable(path: url.path, reason: FileErrorText.reason(error))
        }
        return hex(hasher.finalize())
    }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256(of data: Data) -> String { hex(SHA256.hash(data: data)) }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
