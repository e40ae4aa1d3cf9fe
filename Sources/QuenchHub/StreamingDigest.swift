import Crypto
import Foundation
import QuenchFiles

/// SHA-256 of a file as it streams (and the git blob SHA-1 for small non-LFS files), so the download
/// is hashed in the write callback and never read a second time.
struct StreamingDigest {
    private var sha256 = SHA256()
    private var gitSHA1: Insecure.SHA1?

    /// `gitBlobSize` set: also compute git's blob id, SHA-1 over `blob <size>\0` followed by the content.
    init(gitBlobSize: Int64?) {
        if let gitBlobSize {
            var sha1 = Insecure.SHA1()
            sha1.update(data: Data("blob \(gitBlobSize)\0".utf8))
            gitSHA1 = sha1
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: bytes)
        gitSHA1?.update(bufferPointer: bytes)
    }

    /// Lower-case hex SHA-256 and, if asked for, git blob SHA-1.
    func finalize() -> (sha256: String, gitSHA1: String?) {
        (Self.hex(sha256.finalize()), gitSHA1.map { Self.hex($0.finalize()) })
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Hashes the file at `url` from the start (a resumed prefix, or a cached blob being re-checked).
    static func of(file url: URL, gitBlobSize: Int64?) throws -> (digest: StreamingDigest, bytes: Int64) {
        let file: RegularFile
        do {
            file = try RegularFile(path: url.path)
        } catch {
            throw HubError.cacheIO(path: url.path, reason: error.reason)
        }
        return try withExtendedLifetime(file) { try of(descriptor: file.descriptor, url: url, gitBlobSize: gitBlobSize) }
    }

    /// Hashes the open file `descriptor` (named `url` in errors) from its first byte to its end.
    static func of(descriptor: Int32, url: URL, gitBlobSize: Int64?) throws -> (digest: StreamingDigest, bytes: Int64) {
        var digest = StreamingDigest(gitBlobSize: gitBlobSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, off_t(total))
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw CacheFiles.posixError(url) }
            if count == 0 { break }
            digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            total += Int64(count)
        }
        return (digest, total)
    }
}
