#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension RegularFile {
    /// Calls `body` with every line (blank ones too) from the current position to the end, as raw bytes
    /// without the line ending (`\n` or `\r\n`), with its 1-based number. A UTF-8 byte-order mark at the
    /// start is dropped. The file is read in `blockSize` blocks, so a multi-gigabyte dataset is never
    /// held in memory: only the current block and the line being assembled are.
    /// - Returns: the number of bytes read.
    /// - Throws: `Failure.lineTooLong` for a line over `maximumLineBytes`, `Failure.system` for a failed
    ///   read, or what `body` throws.
    @discardableResult
    public func forEachLine(
        maximumLineBytes: Int, blockSize: Int = 4 << 20,
        _ body: (_ line: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void
    ) throws -> Int {
        var pending: [UInt8] = []
        pending.reserveCapacity(blockSize)
        let block = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { block.deallocate() }
        var lineNumber = 0
        var total = 0
        var first = true
        func emit(_ buffer: UnsafeRawBufferPointer, _ start: Int, _ end: Int) throws {
            lineNumber += 1
            var lineStart = start
            var lineEnd = end
            if first {
                first = false
                if lineEnd - lineStart >= 3, buffer[lineStart] == 0xEF, buffer[lineStart + 1] == 0xBB,
                   buffer[lineStart + 2] == 0xBF {
                    lineStart += 3
                }
            }
            if lineEnd > lineStart, buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            try body(lineNumber, UnsafeRawBufferPointer(rebasing: buffer[lineStart..<lineEnd]))
        }
        while true {
            let count = read(descriptor, block.baseAddress, block.count)
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw Failure.system(path: path, errno: errno) }
            if count == 0 { break }
            total += count
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: block[0..<count]))
            let consumed = try pending.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                var lineStart = 0
                while lineStart < buffer.count, let found = memchr(base + lineStart, 0x0A, buffer.count - lineStart) {
                    let newline = base.distance(to: UnsafeRawPointer(found))
                    try emit(buffer, lineStart, newline)
                    lineStart = newline + 1
                }
                return lineStart
            }
            pending.removeSubrange(0..<consumed)
            guard pending.count <= maximumLineBytes else {
                throw Failure.lineTooLong(path: path, line: lineNumber + 1, limit: maximumLineBytes)
            }
        }
        if !pending.isEmpty {
            try pending.withUnsafeBytes { try emit($0, 0, $0.count) }
        }
        return total
    }
}
