import Foundation

/// Streams a file's lines in large blocks, handing each line to the caller as raw bytes (no copy,
/// no String), with its 1-based line number: the input side of every scan, check and rewrite.
enum LineReader {
    /// Longest line accepted; a longer one is a hostile or non-JSONL file, not a record.
    static let maximumLineBytes = 64 << 20
    private static let blockSize = 4 << 20

    /// Calls `body` with every line (blank ones too, without the line ending `\n` or `\r\n`).
    /// A UTF-8 byte-order mark at the start of the file is dropped.
    /// - Returns: the number of bytes read.
    @discardableResult
    static func forEachLine(in url: URL, _ body: (_ line: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw GovernanceError.unreadable(path: url.path, reason: "it does not exist or is not readable")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        pending.reserveCapacity(blockSize)
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
            let block: Data
            do {
                guard let read = try handle.read(upToCount: blockSize), !read.isEmpty else { break }
                block = read
            } catch {
                throw GovernanceError.unreadable(path: url.path, reason: error.localizedDescription)
            }
            total += block.count
            pending.append(contentsOf: block)
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
                throw GovernanceError.lineTooLong(file: url.lastPathComponent, line: lineNumber + 1, limit: maximumLineBytes)
            }
        }
        if !pending.isEmpty {
            try pending.withUnsafeBytes { try emit($0, 0, $0.count) }
        }
        return total
    }
}
