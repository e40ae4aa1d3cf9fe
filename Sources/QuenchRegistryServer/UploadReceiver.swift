import Crypto
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// Streams one uploaded file to disk, hashing it as it arrives, and keeps it only when its SHA-256 is
/// the one the client declared: a mismatch, a body over the cap or a broken connection leaves nothing.
struct UploadReceiver {
    /// A file written by the receiver, as the API reports it.
    struct Received: Codable, Sendable {
        var path: String
        var sha256: String
        var size: Int64
    }

    let worker: RegistryWorker
    /// The largest file accepted, in bytes.
    let limit: Int64

    /// Writes `body` to `path` inside `folder`/files; `declared` is the client's lower-case hex SHA-256.
    func receive(_ body: RequestBody, path: String, into folder: URL, declared: String, record: RequestRecord) async throws -> Received {
        let temporary = folder.appendingPathComponent(".incoming-\(UUID().uuidString)")
        let output = try await worker.io { try OutputFile(url: temporary) }
        var hasher = SHA256()
        var size: Int64 = 0
        do {
            for try await buffer in body {
                let (total, overflow) = size.addingReportingOverflow(Int64(buffer.readableBytes))
                guard !overflow, total <= limit else { throw APIError.payloadTooLarge("file '\(path)'", limit: limit) }
                size = total
                record.received(buffer.readableBytes)
                buffer.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                try await worker.io { try output.write(buffer) }
            }
            try await worker.io { try output.finish() }
            let found = hasher.finalize().map { String(format: "%02x", $0) }.joined()
            guard found == declared else {
                throw APIError(.badRequest, code: "hash_mismatch",
                               message: "file '\(path)' has sha256 \(found), the request declared \(declared); nothing was kept, upload it again")
            }
            let target = folder.appendingPathComponent("files").appendingPathComponent(path)
            try await worker.io {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                guard rename(temporary.path, target.path) == 0 else {
                    throw APIError(.internalServerError, code: "internal", message: "cannot keep the uploaded file '\(path)': \(String(cString: strerror(errno)))")
                }
            }
            return Received(path: path, sha256: found, size: size)
        } catch {
            try? await worker.io {
                output.close()
                try? FileManager.default.removeItem(at: temporary)
            }
            throw error
        }
    }
}

/// A file opened for writing by `UploadReceiver`, used from the worker's threads one call at a time.
final class OutputFile: Sendable {
    /// The open descriptor, nil once closed (so a second close cannot hit a reused descriptor).
    private let descriptor: NIOLockedValueBox<Int32?>

    init(url: URL) throws {
        let opened = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard opened >= 0 else {
            throw APIError(.internalServerError, code: "internal", message: "cannot create \(url.lastPathComponent) for an upload: \(String(cString: strerror(errno)))")
        }
        descriptor = NIOLockedValueBox(opened)
    }

    /// Writes every byte of `buffer`, retrying partial and interrupted writes.
    func write(_ buffer: ByteBuffer) throws {
        try descriptor.withLockedValue { descriptor in
            guard let descriptor else { throw Self.failure("write", reason: "the file is closed") }
            try buffer.withUnsafeReadableBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = Foundation.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw Self.failure("write", reason: String(cString: strerror(errno)))
                    }
                    offset += written
                }
            }
        }
    }

    /// Flushes the file to disk and closes it.
    func finish() throws {
        defer { close() }
        try descriptor.withLockedValue { descriptor in
            guard let descriptor, fsync(descriptor) == 0 else { throw Self.failure("flush", reason: String(cString: strerror(errno))) }
        }
    }

    /// Closes the file; closing it again does nothing.
    func close() {
        descriptor.withLockedValue { descriptor in
            if let open = descriptor { _ = Foundation.close(open) }
            descriptor = nil
        }
    }

    private static func failure(_ action: String, reason: String) -> APIError {
        APIError(.internalServerError, code: "internal", message: "cannot \(action) an upload: \(reason)")
    }
}
