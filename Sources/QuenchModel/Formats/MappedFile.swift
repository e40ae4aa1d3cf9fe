import Foundation
import QuenchFiles

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole regular file mapped read-only: the one way QuenchModel opens model, tokenizer and
/// config files, unmapped when the last reference goes away. Inside `FileCheck.reading` the file is
/// read into memory of its own instead, and checked before anything parses it.
///
/// It is opened through `RegularFile`: a FIFO or device named like a model file cannot hang it, and
/// the type is checked on the open descriptor, so a file swapped after a check cannot slip through.
/// Mapping instead of reading lets a multi-gigabyte checkpoint be opened in constant time and
/// memory: only the pages of tensors actually read are paged in. `MAP_PRIVATE` + `PROT_READ`
/// means nothing we do can change the file. Another process truncating the file while it is
/// mapped would still fault the reader (SIGBUS); that is inherent to mapping.
final class MappedFile {
    /// Why a file could not be mapped; each format turns it into its own error naming the file.
    enum Failure: Error, Equatable {
        /// A system call failed with this `errno`.
        case system(errno: Int32)
        /// The path names something other than a regular file (`type` says what, e.g. "a FIFO").
        case notRegular(type: String)
        /// The file holds more bytes than this kind of file may.
        case tooLarge(size: Int, limit: Int)
        /// The active `FileCheck` refused the bytes read (`reason` is its error's text).
        case rejected(reason: String)

        /// A sentence for error messages.
        var reason: String {
            switch self {
            case .system(let code): return String(cString: strerror(code))
            case .notRegular(let type): return "it is \(type), not a regular file"
            case .tooLarge(let size, let limit): return "it holds \(size) bytes, more than the \(limit) this kind of file may"
            case .rejected(let reason): return reason
            }
        }
    }

    /// The whole file; empty (with a nil base) for an empty file, which cannot be mapped.
    let bytes: UnsafeRawBufferPointer
    /// True when `bytes` is memory of our own (a checked read), false when it is a mapping.
    private let isOwned: Bool

    /// Maps the regular file at `path`, refusing one larger than `limit` bytes; within
    /// `FileCheck.reading`, reads it whole and has the active check accept the bytes first.
    init(path: String, limit: Int = .max) throws(Failure) {
        let file: RegularFile
        do {
            file = try RegularFile(path: path, limit: limit)
        } catch {
            switch error {
            case .notRegular(_, let type): throw .notRegular(type: type)
            case .tooLarge(_, let size, let limit): throw .tooLarge(size: Int(size), limit: limit)
            default: throw .system(errno: error.systemErrno ?? EIO)
            }
        }
        // The mapping and the owned read use the descriptor, which lives as long as `file`.
        defer { withExtendedLifetime(file) {} }
        let (descriptor, size) = (file.descriptor, file.size)
        if let scope = FileCheckScope.active {
            let owned = try Self.read(descriptor, size: size)
            do {
                try scope.inspect(path: path, bytes: owned)
            } catch {
                free(UnsafeMutableRawPointer(mutating: owned.baseAddress))
                throw error
            }
            (bytes, isOwned) = (owned, true)
            return
        }
        isOwned = false
        guard size > 0 else {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw .system(errno: errno)
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isOwned {
            free(UnsafeMutableRawPointer(mutating: base))
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    /// The first `size` bytes of the open file, in page-aligned memory the caller frees; fewer when the
    /// file was truncated meanwhile (the check then sees, and refuses, exactly what was read).
    private static func read(_ descriptor: Int32, size: Int) throws(Failure) -> UnsafeRawBufferPointer {
        guard size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard UInt64(size) <= ProcessInfo.processInfo.physicalMemory else { throw .system(errno: ENOMEM) }
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, Int(getpagesize()), size) == 0, let memory else { throw .system(errno: ENOMEM) }
        var filled = 0
        while filled < size {
            let count = pread(descriptor, memory + filled, size - filled, off_t(filled))
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else {
                let code = errno
                free(memory)
                throw .system(errno: code)
            }
            if count == 0 { break }
            filled += count
        }
        return UnsafeRawBufferPointer(start: memory, count: filled)
    }

    /// The whole regular file at `path` as `Data` (for the JSON readers), at most `limit` bytes.
    static func contents(of path: String, limit: Int) throws(Failure) -> Data {
        let file = try MappedFile(path: path, limit: limit)
        return withExtendedLifetime(file) { Data(file.bytes) }
    }

    /// A JSON side file (config.json, tokenizer_config.json, adapter_config.json) read whole.
    /// - Throws: `ModelError.unreadable` naming the file and why.
    static func json(at path: String) throws -> Data {
        do {
            return try contents(of: path, limit: jsonLimit)
        } catch {
            throw ModelError.unreadable(file: path, reason: error.reason)
        }
    }

    /// Largest JSON side file (config.json, tokenizer.json, tokenizer_config.json) read whole: the
    /// biggest published tokenizer.json files are tens of megabytes.
    static let jsonLimit = 1 << 28
}
