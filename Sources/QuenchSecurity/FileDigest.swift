import Crypto
import Foundation
import QuenchFiles

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

    /// Lower-case hex SHA-256 of the regular file at `url`.
    ///
    /// The file is opened through `RegularFile`, so a FIFO or device named like a model file is refused
    /// at once instead of hanging the hash.
    public static func sha256(of url: URL) throws -> String {
        try stream(url) { _ in }
    }

    /// Copies the regular file at `source` to a new file `destination` (mode 0600, which must not
    /// exist), and returns the lower-case hex SHA-256 of the very bytes written.
    public static func sha256(copying source: URL, to destination: URL) throws -> String {
        let output = open(destination.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard output >= 0 else { throw Failure.unreadable(path: destination.path, reason: String(cString: strerror(errno))) }
        defer { close(output) }
        return try stream(source) { block in
            var offset = 0
            while offset < block.count {
                let written = write(output, block.baseAddress! + offset, block.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    throw Failure.unreadable(path: destination.path, reason: "cannot write: \(String(cString: strerror(errno)))")
                }
                offset += written
            }
        }
    }

    /// Reads the regular file at `url` block by block, handing each to `each`, and returns its SHA-256.
    private static func stream(_ url: URL, each: (UnsafeRawBufferPointer) throws -> Void) throws -> String {
        let path = url.path
        let file: RegularFile
        do {
            file = try RegularFile(path: path)
        } catch {
            throw Failure.unreadable(path: path, reason: error.reason)
        }
        defer { withExtendedLifetime(file) {} }
        let descriptor = file.descriptor
        var hasher = SHA256()
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { block.deallocate() }
        while true {
            let count = read(descriptor, block.baseAddress, block.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw Failure.unreadable(path: path, reason: String(cString: strerror(errno))) }
            if count == 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: block[0..<count])
            hasher.update(bufferPointer: bytes)
            try each(bytes)
        }
        return hex(hasher.finalize())
    }

    /// Lower-case hex SHA-256 of `bytes` (memory a caller read a file into).
    public static func sha256(of bytes: UnsafeRawBufferPointer) -> String { hex(SHA256.hash(data: bytes)) }

    /// Lower-case hex SHA-256 of `data`.
    public static func sha256(of data: Data) -> String { hex(SHA256.hash(data: data)) }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
