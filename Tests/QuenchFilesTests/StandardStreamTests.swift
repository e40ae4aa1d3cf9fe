import Foundation
import Testing
@testable import QuenchFiles

/// Writes to a standard stream end, quietly, when nobody reads: a closed reader at once, a
/// non-blocking reader that stops reading after the stall limit, never a trap or a hang.
@Suite(.timeLimit(.minutes(1))) struct StandardStreamTests {
    /// A pipe with a non-blocking write end, filled until a write would block.
    func fullPipe() throws -> (read: Int32, write: Int32, filled: Int) {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0)
        try #require(fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK) == 0)
        let chunk = [UInt8](repeating: 0x61, count: 4096)
        var filled = 0
        while true {
            let written = chunk.withUnsafeBytes { Foundation.write(ends[1], $0.baseAddress, $0.count) }
            guard written > 0 else { break }
            filled += written
        }
        try #require(errno == EAGAIN)
        return (ends[0], ends[1], filled)
    }

    @Test func aStalledNonBlockingReaderIsGivenUpAfterTheLimit() throws {
        let (reader, writer, _) = try fullPipe()
        defer { close(reader); close(writer) }
        let started = ContinuousClock.now
        #expect(!StandardStream.write("more text\n", to: writer, stallLimit: .milliseconds(300)))
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(300) && waited < .seconds(5), "\(waited)")
    }

    @Test func aReaderThatDrainsLetsTheWriteFinish() throws {
        let (reader, writer, filled) = try fullPipe()
        let drained = DispatchSemaphore(value: 0)
        defer { drained.wait(); close(reader); close(writer) }
        let text = String(repeating: "b", count: 100_000)
        Thread {
            var buffer = [UInt8](repeating: 0, count: 1 << 16), remaining = filled + text.utf8.count
            Thread.sleep(forTimeInterval: 0.2)
            while remaining > 0 {
                let count = buffer.withUnsafeMutableBytes { read(reader, $0.baseAddress, min($0.count, remaining)) }
                guard count > 0 else { break }
                remaining -= count
            }
            drained.signal()
        }.start()
        #expect(StandardStream.write(text, to: writer, stallLimit: .seconds(10)))
    }

    @Test func aClosedReaderEndsTheWriteAtOnce() throws {
        let (reader, writer, _) = try fullPipe()
        defer { close(writer) }
        close(reader)
        signal(SIGPIPE, SIG_IGN)
        #expect(!StandardStream.write("x", to: writer, stallLimit: .seconds(10)))
    }
}
