import Foundation
import QuenchFiles

/// Streams a JSONL file line by line through `RegularFile` (a FIFO or device is refused at once,
/// never waited on), in fixed-size blocks, so a multi-gigabyte dataset is never held in memory.
enum JSONLinesReader {
    /// Longest line accepted; a longer one is a hostile or non-JSONL file, not a record.
    static let maximumLineBytes = 64 << 20

    /// Calls `body` with each non-blank line (without its line ending) and its 1-based number.
    /// A UTF-8 byte-order mark at the start of the file is skipped.
    /// - Throws: `DatasetError.unreadable` naming the file and why (missing, a FIFO, ...), `.lineTooLong`.
    static func forEachLine(in url: URL, _ body: (_ line: Int, _ bytes: ArraySlice<UInt8>) throws -> Void) throws {
        do {
            try RegularFile(path: url.path).forEachLine(maximumLineBytes: maximumLineBytes, blockSize: 1 << 20) { line, bytes in
                guard bytes.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
                try body(line, ArraySlice(bytes))
            }
        } catch let failure as RegularFile.Failure {
            if case .lineTooLong(_, let line, let limit) = failure {
                throw DatasetError.lineTooLong(file: url.lastPathComponent, line: line, limit: limit)
            }
            throw DatasetError.unreadable(file: url.path, reason: failure.reason)
        }
    }
}
