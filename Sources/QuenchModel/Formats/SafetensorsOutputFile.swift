import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A temporary file beside `destination` that becomes `destination` only on `commit()`.
///
/// Writing in place would leave a truncated checkpoint behind after a crash or a full disk;
/// `rename(2)` within one directory replaces the old file atomically.
final class SafetensorsOutputFile {
    private let destination: String
    private let temporary: String
    private var descriptor: Int32

    init(destination url: URL) throws {
        destination = url.path
        let directory = url.deletingLastPathComponent().path
        temporary = directory + "/." + url.lastPathComponent + ".\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw SafetensorsError.writeFailed(file: destination, errno: errno) }
    }

    /// Appends all of `bytes`, retrying short writes and interrupted calls.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var next = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = Glibc.write(descriptor, next, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw SafetensorsError.writeFailed(file: destination, errno: errno)
            }
            next += written
            remaining -= written
        }
    }

    /// Flushes to disk and renames the temporary file onto the destination.
    func commit() throws {
        guard fsync(descriptor) == 0 else { throw SafetensorsError.writeFailed(file: destination, errno: errno) }
        let status = close(descriptor)
        descriptor = -1
        guard status == 0 else { throw SafetensorsError.writeFailed(file: destination, errno: errno) }
        guard rename(temporary, destination) == 0 else {
            throw SafetensorsError.writeFailed(file: destination, errno: errno)
        }
    }

    /// Closes and deletes the temporary file after a failure; the destination is untouched.
    func discard() {
        if descriptor >= 0 {
            close(descriptor)
            descriptor = -1
        }
        unlink(temporary)
    }
}
