import Foundation

/// Writes a whole file so that readers see the old contents or the new, never half of either:
/// the bytes go to a temporary file in the same folder, are flushed, then renamed over the target.
public enum AtomicFile {
    /// Errors writing the temporary file or moving it into place.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unwritable(path: String, reason: String)

        public var description: String {
            switch self {
            case .unwritable(let path, let reason): return "cannot write \(path): \(reason)"
            }
        }
    }

    /// Replaces `url` with `data` atomically; `permissions` (e.g. 0o600 for secrets) apply before
    /// the file becomes visible under its name.
    public static func write(_ data: Data, to url: URL, permissions: mode_t = 0o644) throws {
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure.unwritable(path: url.path, reason: FileErrorText.reason(error, path: folder.path))
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        let descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard descriptor >= 0 else {
            throw Failure.unwritable(path: url.path, reason: String(cString: strerror(errno)))
        }
        var failure: String?
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if failure == nil, fchmod(descriptor, permissions) != 0 || fsync(descriptor) != 0 {
            failure = String(cString: strerror(errno))
        }
        close(descriptor)
        if failure == nil, rename(temporary.path, url.path) != 0 {
            failure = String(cString: strerror(errno))
        }
        if let failure {
            unlink(temporary.path)
            throw Failure.unwritable(path: url.path, reason: failure)
        }
    }

    /// Encodes `value` as pretty, key-sorted JSON (ISO 8601 dates; infinities and NaN as the strings
    /// "inf", "-inf", "nan", which JSON has no numbers for) and writes it atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            throw Failure.unwritable(path: url.path, reason: "cannot encode JSON: \(error)")
        }
        try write(data + Data("\n".utf8), to: url)
    }
}
