import Foundation
import QuenchFiles

#if _endian(big)
#error("GGUF output writes host floats as little-endian bytes: big-endian hosts are not supported")
#endif

/// A GGUF file being written through `AtomicFile.Writer`: it replaces the destination on success only.
struct GGUFFileOutput {
    private let writer: AtomicFile.Writer

    /// Runs `body` to fill a temporary file beside `url`, then renames it over `url`.
    /// The temporary file is removed if anything fails.
    static func replace(_ url: URL, _ body: (inout GGUFFileOutput) throws -> Void) throws {
        do {
            var output = GGUFFileOutput(writer: try AtomicFile.Writer(destination: url, creatingFolder: false))
            try body(&output)
            try output.writer.commit()
        } catch let failure as AtomicFile.Failure {
            throw GGUFError.writeFailed(path: failure.path, reason: failure.reason)
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
        try writer.write(buffer)
    }
}
