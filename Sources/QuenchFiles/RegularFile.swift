#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An open regular file: the one way Quench opens a file a user or a download supplied.
///
/// The open never blocks (a FIFO or device named like a data, model or key file is refused at once
/// instead of waiting for a writer) and every check is made with `fstat` on the open descriptor, so
/// the file checked is the file read. The descriptor is closed when the value goes away.
public final class RegularFile {
    /// The path the file was opened at, for messages.
    public let path: String
    /// The open descriptor (blocking again after the checks); valid while `self` lives.
    public let descriptor: Int32
    /// The file's size in bytes when it was opened.
    public let size: Int
    /// The permission bits (`st_mode & 0o7777`).
    public let permissions: mode_t
    /// The owner's user id.
    public let owner: uid_t

    /// How to open the file.
    public enum Access: Sendable {
        /// Read only; the file must exist.
        case read
        /// Read and write, created with `mode` when absent (a download's partial file).
        case readWriteCreating(mode: mode_t)
    }

    /// Opens the regular file at `path`.
    /// - Parameters:
    ///   - followingLinks: false refuses a symbolic link at `path` (`O_NOFOLLOW`) instead of opening its target.
    ///   - limit: refuse a file holding more bytes than this.
    /// - Throws: `RegularFile.Failure` naming `path` and why (missing, a FIFO, too large, ...).
    public init(path: String, access: Access = .read, followingLinks: Bool = true, limit: Int = .max) throws(Failure) {
        var flags = O_NONBLOCK | O_CLOEXEC | O_NOCTTY
        var mode: mode_t = 0
        switch access {
        case .read: flags |= O_RDONLY
        case .readWriteCreating(let created): flags |= O_RDWR | O_CREAT; mode = created
        }
        if !followingLinks { flags |= O_NOFOLLOW }
        let descriptor = open(path, flags, mode)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT: throw .missing(path: path)
            case ELOOP where !followingLinks: throw .symbolicLink(path: path)
            default: throw .system(path: path, errno: code)
            }
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw .system(path: path, errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw .notRegular(path: path, type: Self.describe(mode: info.st_mode))
        }
        guard info.st_size <= limit else {
            close(descriptor)
            throw .tooLarge(path: path, size: Int64(info.st_size), limit: limit)
        }
        // The type is known now: reads and writes may block as they do on any regular file.
        let status = fcntl(descriptor, F_GETFL)
        guard status >= 0, fcntl(descriptor, F_SETFL, status & ~O_NONBLOCK) == 0 else {
            let code = errno
            close(descriptor)
            throw .system(path: path, errno: code)
        }
        self.path = path
        self.descriptor = descriptor
        self.size = Int(info.st_size)
        self.permissions = info.st_mode & 0o7777
        self.owner = info.st_uid
    }

    deinit { close(descriptor) }

    /// Refuses a file that is not a private one of the user running Quench: owned by someone else, or
    /// readable or writable by group or others (what a secret key or token file must be).
    public func requirePrivate() throws(Failure) {
        guard owner == geteuid() else { throw .notOwned(path: path, owner: UInt32(owner), user: UInt32(geteuid())) }
        guard permissions & 0o077 == 0 else { throw .tooOpen(path: path, mode: String(permissions, radix: 8)) }
    }

    /// The whole file from its first byte, refusing one that grew past `limit` bytes.
    public func readAll(limit: Int = .max) throws(Failure) -> Data {
        guard size <= limit else { throw .tooLarge(path: path, size: Int64(size), limit: limit) }
        var data = Data(count: size)
        var filled = 0
        var failure: Int32 = 0
        data.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            while filled < size {
                let count = pread(descriptor, base + filled, size - filled, off_t(filled))
                if count < 0, errno == EINTR { continue }
                guard count > 0 else {
                    failure = count == 0 ? 0 : errno
                    return
                }
                filled += count
            }
        }
        guard filled == size else {
            throw failure == 0 ? .changed(path: path) : .system(path: path, errno: failure)
        }
        return data
    }

    /// The whole regular file at `path`, at most `limit` bytes.
    public static func contents(of path: String, limit: Int = .max) throws(Failure) -> Data {
        try RegularFile(path: path, limit: limit).readAll(limit: limit)
    }

    /// The whole regular file at `path` as UTF-8 text, at most `limit` bytes.
    public static func text(of path: String, limit: Int = .max) throws(Failure) -> String {
        let data = try contents(of: path, limit: limit)
        guard let text = String(data: data, encoding: .utf8) else { throw .notText(path: path) }
        return text
    }

    /// "a FIFO (named pipe)", "a directory", ... for a `st_mode` that is not a regular file.
    static func describe(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "a special file"
        }
    }
}
