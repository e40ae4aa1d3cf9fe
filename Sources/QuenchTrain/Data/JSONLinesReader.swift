import Foundation

/// Streams a JSONL file line by line in fixed-size blocks, so a multi-gigabyte dataset is never
/// held in memory as one string: only the current block and the line being assembled are.
enum JSONLinesReader {
    /// Longest line accepted; a longer one is a hostile or non-JSONL file, not a record.
    static let maximumLineBytes = 64 << 20
    private static let blockSize = 1 << 20

    /// Calls `body` with each non-blank line (without its line ending) and its 1-based number.
    /// A UTF-8 byte-order mark at the start of the file is skipped.
    static func forEachLine(in url: URL, _ body: (_ line: Int, _ bytes: ArraySlice<UInt8>) throws -> Void) throws {
        let file = url.lastPathComponent
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw DatasetError.unreadable(file: file, reason: "it does not exist or is not readable")
        }
        defer { try? handle.close() }
        var pending: [UInt8] = []
        var lineNumber = 0
        var atFileStart = true
        func emit(_ line: ArraySlice<UInt8>) throws {
            lineNumber += 1
            var line = line
            if atFileStart {
                atFileStart = false
                if line.starts(with: [0xEF, 0xBB, 0xBF]) { line = line.dropFirst(3) }
            }
            if line.last == 0x0D { line = line.dropLast() }
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
            try body(lineNumber, line)
        }
        while true {
            let block: Data
            do {
                guard let read = try handle.read(upToCount: blockSize), !read.isEmpty else { break }
                block = read
            } catch {
                throw DatasetError.unreadable(file: file, reason: error.localizedDescription)
            }
            var searchFrom = pending.count
            pending.append(contentsOf: block)
            var lineStart = 0
            while let newline = pending[searchFrom...].firstIndex(of: 0x0A) {
                try emit(pending[lineStart..<newline])
                lineStart = newline + 1
                searchFrom = lineStart
            }
            pending.removeSubrange(0..<lineStart)
            guard pending.count <= maximumLineBytes else {
                throw DatasetError.lineTooLong(file: file, line: lineNumber + 1, limit: maximumLineBytes)
            }
        }
        if !pending.isEmpty { try emit(pending[...]) }
    }
}
