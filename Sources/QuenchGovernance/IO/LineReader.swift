import Foundation
import QuenchFiles

/// Streams a file's lines through `RegularFile` (a FIFO or device is refused at once, never waited
/// on), handing each line to the caller as raw bytes (no copy, no String), with its 1-based line
/// number: the input side of every scan, check and rewrite.
enum LineReader {
    /// Longest line accepted; a longer one is a hostile or non-JSONL file, not a record.
    static let maximumLineBytes = 64 << 20

    /// Calls `body` with every line (blank ones too, without the line ending `\n` or `\r\n`).
    /// A UTF-8 byte-order mark at the start of the file is dropped.
    /// - Returns: the number of bytes read.
    /// - Throws: `GovernanceError.unreadable` naming the file and why, `.lineTooLong`, or what `body` throws.
    @discardableResult
    static func forEachLine(in url: URL, _ body: (_ line: Int, _ bytes: UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        do {
            return try RegularFile(path: url.path).forEachLine(maximumLineBytes: maximumLineBytes, body)
        } catch let failure as RegularFile.Failure {
            if case .lineTooLong(_, let line, let limit) = failure {
                throw GovernanceError.lineTooLong(file: url.lastPathComponent, line: line, limit: limit)
            }
            throw GovernanceError.unreadable(path: url.path, reason: failure.reason)
        }
    }
}
