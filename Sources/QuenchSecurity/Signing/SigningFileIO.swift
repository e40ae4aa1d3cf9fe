#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuenchFiles

/// The few file operations signing needs: bounded reads of regular files, and atomic writes with a mode.
enum SigningFileIO {
    /// The whole regular file at `url`, at most `limit` bytes, read through `RegularFile` (a FIFO or
    /// device is refused at once instead of waiting for a writer).
    static func read(_ url: URL, limit: Int) throws -> Data {
        do {
            return try RegularFile.contents(of: url.path, limit: limit)
        } catch {
            throw SigningError.unreadable(path: url.path, reason: error.reason)
        }
    }

    /// Writes `data` to `url` through `AtomicFile`, so readers see the old file or the new one.
    ///
    /// With `replacing` false an existing file at `url` is refused (`keyFileExists`), with no check-then-write race.
    static func writeAtomically(_ data: Data, to url: URL, mode: mode_t, replacing: Bool) throws {
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(data, to: url, permissions: mode, replacing: replacing)
        } catch .exists(let path) {
            throw SigningError.keyFileExists(path: path)
        } catch {
            throw SigningError.writeFailed(path: url.path, reason: error.reason)
        }
    }

    /// Creates `url` (and its parents) readable by the owner only, if it does not exist yet.
    static func createPrivateDirectory(_ url: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw SigningError.writeFailed(path: url.path, reason: FileErrorText.reason(error, path: url.path))
        }
    }

    /// The file type bits of `path` without following a final symbolic link, or nil if it does not exist.
    static func fileType(atPath path: String) throws -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT { return nil }
            throw SigningError.unreadable(path: path, reason: errnoText())
        }
        return info.st_mode & S_IFMT
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
