#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

extension AtomicFile {
    /// Streams a file into place: bytes go (buffered) to a temporary file beside the destination,
    /// created exclusively with the final permissions; `commit` flushes, syncs and renames it over
    /// the destination. A writer dropped before `commit`, or one whose commit failed, removes its
    /// temporary file and leaves the destination (if any) untouched.
    public final class Writer {
        /// The file this writer replaces on `commit`.
        public let destination: URL
        private let temporary: String
        private let descriptor: Int32
        private var buffer: [UInt8] = []
        private var finished = false

        /// Bytes gathered before they go to the temporary file.
        static let bufferBytes = 1 << 20

        /// Opens a new temporary file in the destination's folder, creating the folder first unless
        /// `creatingFolder` is false (then a missing folder is an error).
        /// - Throws: `Failure.unwritable` naming `destination` and why.
        public init(destination: URL, permissions: mode_t = 0o644, creatingFolder: Bool = true) throws(Failure) {
            self.destination = destination
            let folder = destination.deletingLastPathComponent()
            if creatingFolder {
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    throw Failure.unwritable(path: destination.path, reason: FileErrorText.reason(error, path: folder.path))
                }
            }
            temporary = folder.appendingPathComponent(
                ".\(destination.lastPathComponent).\(getpid()).\(UInt64.random(in: 0...UInt64.max)).tmp").path
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, permissions)
            guard descriptor >= 0 else {
                throw Failure.unwritable(path: destination.path, reason: Self.errnoText())
            }
            // The mode asked for exactly, whatever the umask: 0o600 stays 0o600, 0o644 is not narrowed.
            guard fchmod(descriptor, permissions) == 0 else {
                let reason = Self.errnoText()
                close(descriptor)
                unlink(temporary)
                throw Failure.unwritable(path: destination.path, reason: reason)
            }
            buffer.reserveCapacity(Self.bufferBytes)
        }

        deinit {
            if !finished {
                close(descriptor)
                unlink(temporary)
            }
        }

        /// Appends bytes (buffered).
        public func write(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
            if buffer.count + bytes.count > Self.bufferBytes {
                try flush()
                if bytes.count >= Self.bufferBytes { return try writeThrough(bytes) }
            }
            buffer.append(contentsOf: bytes)
        }

        /// Appends bytes (buffered).
        public func write(_ bytes: [UInt8]) throws(Failure) {
            try Self.withBytes(of: bytes) { (raw) throws(Failure) in try write(raw) }
        }

        /// Appends bytes (buffered).
        public func write(_ data: Data) throws(Failure) {
            try Self.withBytes(of: data) { (raw) throws(Failure) in try write(raw) }
        }

        /// Writes what is buffered, syncs the temporary file and moves it to `destination`: a rename
        /// that replaces any old file, or with `replacing` false a hard link that fails with
        /// `Failure.exists` when a file is already there.
        public func commit(replacing: Bool = true) throws(Failure) {
            guard !finished else { throw Failure.unwritable(path: destination.path, reason: "already committed") }
            try flush()
            guard fsync(descriptor) == 0 else { throw Failure.unwritable(path: destination.path, reason: Self.errnoText()) }
            finished = true
            close(descriptor)
            defer { if !replacing { unlink(temporary) } }
            if replacing {
                guard rename(temporary, destination.path) == 0 else {
                    let reason = Self.errnoText()
                    unlink(temporary)
                    throw Failure.unwritable(path: destination.path, reason: reason)
                }
            } else {
                guard link(temporary, destination.path) == 0 else {
                    if errno == EEXIST { throw Failure.exists(path: destination.path) }
                    throw Failure.unwritable(path: destination.path, reason: Self.errnoText())
                }
            }
        }

        private func flush() throws(Failure) {
            guard !buffer.isEmpty else { return }
            try Self.withBytes(of: buffer) { (raw) throws(Failure) in try writeThrough(raw) }
            buffer.removeAll(keepingCapacity: true)
        }

        /// Writes all of `bytes` to the temporary file, retrying interrupted and partial writes.
        private func writeThrough(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, base + offset, bytes.count - offset)
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    throw Failure.unwritable(path: destination.path, reason: written == 0 ? "nothing written" : Self.errnoText())
                }
                offset += written
            }
        }

        /// `body` over the bytes of `bytes`, keeping its error typed (`withUnsafeBytes` rethrows untyped).
        private static func withBytes(
            of bytes: some ContiguousBytes, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Void
        ) throws(Failure) {
            var failure: Failure?
            bytes.withUnsafeBytes { raw in
                do throws(Failure) { try body(raw) } catch { failure = error }
            }
            if let failure { throw failure }
        }

        private static func errnoText() -> String {
            let text = String(cString: strerror(errno))
            return text.prefix(1).lowercased() + text.dropFirst()
        }
    }
}
