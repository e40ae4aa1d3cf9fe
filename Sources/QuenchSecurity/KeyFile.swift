import Foundation

/// The one way Quench reads a secret key file (signing key, pseudonym key).
///
/// Every check is made on the open descriptor, so the file checked is the file read: it is opened
/// without following a symbolic link and without blocking (a FIFO planted at the path cannot hang
/// the read), then must be a regular file owned by the current user, with no group or other access,
/// and no larger than a key file can be.
public enum KeyFile {
    /// Why a key file was refused.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case missing(path: String)
        case unreadable(path: String, reason: String)
        case symbolicLink(path: String)
        case notRegular(path: String)
        case notOwned(path: String, owner: UInt32, user: UInt32)
        case tooOpen(path: String, mode: String)
        case tooLarge(path: String, size: Int64, limit: Int)

        /// The file refused.
        public var path: String {
            switch self {
            case .missing(let path), .unreadable(let path, _), .symbolicLink(let path), .notRegular(let path),
                 .notOwned(let path, _, _), .tooOpen(let path, _), .tooLarge(let path, _, _):
                return path
            }
        }

        /// What is wrong with it and what to do, without the path.
        public var reason: String {
            switch self {
            case .missing:
                return "no such file"
            case .unreadable(_, let reason):
                return reason
            case .symbolicLink:
                return "it is a symbolic link; point the setting at the key file itself"
            case .notRegular:
                return "it is not a regular file (a directory, FIFO, socket or device)"
            case .notOwned(_, let owner, let user):
                return "it belongs to user id \(owner), not to the user running Quench (\(user)); "
                    + "a key someone else controls is not a secret of yours"
            case .tooOpen(let path, let mode):
                return "it has mode \(mode), so other users may read it; run `chmod 600 \(path)`"
            case .tooLarge(_, let size, let limit):
                return "it is \(size) bytes, more than the \(limit) a key file can be"
            }
        }

        public var description: String { "key file \(path): \(reason)" }
    }

    /// Key files are a few hundred bytes; anything far larger is not a key.
    public static let defaultLimit = 64 << 10

    /// The bytes of the secret key file at `url`, after the checks above.
    public static func readSecret(_ url: URL, limit: Int = defaultLimit) throws -> Data {
        let path = url.path
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT: throw Failure.missing(path: path)
            case ELOOP: throw Failure.symbolicLink(path: path)
            default: throw Failure.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw Failure.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw Failure.notRegular(path: path) }
        guard info.st_uid == geteuid() else {
            throw Failure.notOwned(path: path, owner: UInt32(info.st_uid), user: UInt32(geteuid()))
        }
        guard info.st_mode & 0o077 == 0 else { throw Failure.tooOpen(path: path, mode: String(info.st_mode & 0o7777, radix: 8)) }
        guard info.st_size <= limit else { throw Failure.tooLarge(path: path, size: Int64(info.st_size), limit: limit) }
        return try readAll(descriptor, size: Int(info.st_size), path: path)
    }

    /// Reads `size` bytes from the start of the open file.
    private static func readAll(_ descriptor: Int32, size: Int, path: String) throws -> Data {
        var data = Data(count: size)
        var filled = 0
        while filled < size {
            let count = data.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return read(descriptor, base + filled, size - filled)
            }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw Failure.unreadable(path: path, reason: count == 0 ? "the file shrank while being read" : String(cString: strerror(errno)))
            }
            filled += count
        }
        return data
    }
}
