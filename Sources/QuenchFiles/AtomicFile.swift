import Foundation

/// Writes a whole file so that readers see the old contents or the new, never half of either:
/// the bytes go to a temporary file in the same folder, created with the final permissions, are
/// synced to disk, then renamed over the target. The one way Quench writes a file.
public enum AtomicFile {
    /// Errors writing the temporary file or moving it into place.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unwritable(path: String, reason: String)
        /// A write that must not replace anything found a file already at `path`.
        case exists(path: String)

        /// The file that could not be written.
        public var path: String {
            switch self {
            case .unwritable(let path, _), .exists(let path): return path
            }
        }

        /// What went wrong, without the path.
        public var reason: String {
            switch self {
            case .unwritable(_, let reason): return reason
            case .exists: return "a file of that name already exists"
            }
        }

        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Replaces `url` with `data` atomically (or, with `replacing` false, creates it and fails with
    /// `Failure.exists` if something is already there, with no check-then-write race); `permissions`
    /// (e.g. 0o600 for secrets) apply before the file becomes visible under its name.
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644, replacing: Bool = true) throws(Failure) {
        let writer = try Writer(destination: url, permissions: permissions)
        try writer.write(data)
        try writer.commit(replacing: replacing)
    }

    /// Encodes `value` with `JSONCoding.fileEncoder` (pretty, key-sorted, ISO 8601 dates, infinities
    /// and NaN as "inf", "-inf", "nan") and writes it atomically, ending in a newline.
    public static func writeJSON<T: Encodable>(_ value: T, to url: URL, permissions: mode_t = 0o644) throws(Failure) {
        let data: Data
        do {
            data = try JSONCoding.fileEncoder.encode(value)
        } catch {
            throw Failure.unwritable(path: url.path, reason: "cannot encode JSON: \(error)")
        }
        try write(data + Data("\n".utf8), to: url, permissions: permissions)
    }
}
