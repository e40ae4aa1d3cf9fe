import Foundation

#if _endian(big)
#error("GGUF output writes host floats as little-endian bytes: big-endian hosts are not supported")
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file being written through a temporary file that replaces the destination on success.
struct GGUFFileOutput {
    private let descriptor: Int32
    private let path: String

    /// Runs `body` to fill a temporary file beside `url`, then renames it over `url`.
    /// The temporary file is removed if anything fails.
    static func replace(_ url: URL, _ body: (inout GGUFFileOutput) throws -> Void) throws {
        let path = url.path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw GGUFError.writeFailed(path: path, reason: errnoDescription()) }
        var output = GGUFFileOutput(descriptor: descriptor, path: path)
        do {
            try body(&output)
            guard fsync(descriptor) == 0 else { throw GGUFError.writeFailed(path: path, reason: errnoDescription()) }
        } catch {
            close(descriptor)
            unlink(temporary)
            throw error
        }
        guard close(descriptor) == 0 else {
            let reason = errnoDescription()
            unlink(temporary)
            throw GGUFError.writeFailed(path: path, reason: reason)
        }
        guard rename(temporary, path) == 0 else {
            let reason = errnoDescription()
            unlink(temporary)
            throw GGUFError.writeFailed(path: path, reason: "rename failed: \(reason)")
        }
    }

    /// Writes `bytes` as they are.
    mutating func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    /// Writes `values` as little-endian F32 or F16, converting a chunk at a time.
    mutating func emitValues(_ values: [Float], as type: GGUFWriter.ElementType) throws {
        try values.withUnsafeBufferPointer { source in
            switch type {
            case .f32:
                // The package builds only for little-endian hosts: the floats are already GGUF's bytes.
                try emit(UnsafeRawBufferPointer(source))
            case .f16:
                let chunk = 1 << 16
                var halves = [UInt16](repeating: 0, count: min(chunk, source.count))
                var start = 0
                while start < source.count {
                    let count = min(chunk, source.count - start)
                    try halves.withUnsafeMutableBufferPointer { buffer in
                        for i in 0..<count { buffer[i] = GGUFHalf.half(from: source[start + i]).littleEndian }
                        try emit(UnsafeRawBufferPointer(start: buffer.baseAddress, count: count * 2))
                    }
                    start += count
                }
            }
        }
    }

    private mutating func emit(_ buffer: UnsafeRawBufferPointer) throws {
        var written = 0
        while written < buffer.count, let base = buffer.baseAddress {
            let result = write(descriptor, base + written, buffer.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                throw GGUFError.writeFailed(path: path, reason: GGUFFileOutput.errnoDescription())
            }
            written += result
        }
    }

    private static func errnoDescription() -> String { String(cString: strerror(errno)) }
}
