import Foundation
import QuenchFiles

/// Streams one file into its `.incomplete` file: enforces the expected size in the write callback,
/// hashes as it writes, and resumes: a 206 must continue exactly where the file ends; a 200 to a
/// Range request (a server ignoring Range) restarts the file and the hash from byte zero.
final class BlobWriter: HTTPResponseSink {
    let path: String
    let url: URL
    let expectedSize: Int64
    let gitBlob: Bool
    private let file: RegularFile
    private var descriptor: Int32 { file.descriptor }
    private(set) var digest: StreamingDigest
    /// Bytes in the file (prefix from earlier attempts included).
    private(set) var written: Int64
    private var requestedOffset: Int64 = 0
    private let progress: (Int64) -> Void

    /// Opens (or creates) `url`, hashing whatever an earlier run left in it; a file longer than expected is restarted.
    init(path: String, url: URL, expectedSize: Int64, gitBlob: Bool, progress: @escaping (Int64) -> Void) throws {
        self.path = path
        self.url = url
        self.expectedSize = expectedSize
        self.gitBlob = gitBlob
        self.progress = progress
        file = try Self.openPartial(url)
        if Int64(file.size) > expectedSize, ftruncate(file.descriptor, 0) != 0 { throw CacheFiles.posixError(url) }
        let prefix = try StreamingDigest.of(descriptor: file.descriptor, url: url, gitBlobSize: gitBlob ? expectedSize : nil)
        digest = prefix.digest
        written = prefix.bytes
        guard lseek(file.descriptor, off_t(written), SEEK_SET) >= 0 else { throw CacheFiles.posixError(url) }
    }

    /// Opens the partial file for reading and writing without following a symbolic link planted at its
    /// path (which would make Quench write through it) and without blocking on a FIFO; anything but a
    /// regular file is refused, checked on the open descriptor.
    private static func openPartial(_ url: URL) throws -> RegularFile {
        do {
            return try RegularFile(path: url.path, access: .readWriteCreating(mode: 0o644), followingLinks: false)
        } catch {
            switch error {
            case .symbolicLink:
                throw HubError.cacheIO(path: url.path, reason: "a symbolic link where a partial download belongs; remove it")
            case .notRegular(_, let type):
                throw HubError.cacheIO(path: url.path, reason: "\(type) where a partial download belongs; remove it")
            default:
                throw HubError.cacheIO(path: url.path, reason: error.reason)
            }
        }
    }

    /// The `Range` header for the next attempt, nil when starting from zero.
    func rangeHeader() -> (name: String, value: String)? {
        requestedOffset = written
        return written > 0 ? ("Range", "bytes=\(written)-") : nil
    }

    func receive(head: HTTPResponseHead) throws {
        if head.status == 206 {
            guard let start = Self.contentRangeStart(head.header("content-range")), start == requestedOffset else {
                throw HubError.malformedResponse(url: path, reason: "a 206 answer that does not continue at byte \(requestedOffset)")
            }
        } else if written > 0 {
            try restart()
        }
        if let length = head.header("content-length").flatMap({ Int64($0) }),
           length > expectedSize - written {
            throw HubError.sizeMismatch(file: path, expected: expectedSize, actual: written + length)
        }
    }

    func receive(body: UnsafeRawBufferPointer) throws {
        guard Int64(body.count) <= expectedSize - written else {
            throw HubError.sizeMismatch(file: path, expected: expectedSize, actual: written + Int64(body.count))
        }
        var offset = 0
        while offset < body.count {
            let count = write(descriptor, body.baseAddress.map { $0 + offset }, body.count - offset)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw CacheFiles.posixError(url) }
            offset += count
        }
        digest.update(body)
        written += Int64(body.count)
        progress(written)
    }

    /// Empties the file and the hash (the server sent the whole file again, or the partial one is unusable).
    func restart() throws {
        guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else { throw CacheFiles.posixError(url) }
        digest = StreamingDigest(gitBlobSize: gitBlob ? expectedSize : nil)
        written = 0
        progress(0)
    }

    /// Flushes the file to disk before it is renamed into the cache.
    func sync() throws {
        guard fsync(descriptor) == 0 else { throw CacheFiles.posixError(url) }
    }

    /// The first byte of `bytes start-end/total`.
    private static func contentRangeStart(_ value: String?) -> Int64? {
        guard let value, value.hasPrefix("bytes ") else { return nil }
        return value.dropFirst(6).split(separator: "-").first.flatMap { Int64($0) }
    }
}
