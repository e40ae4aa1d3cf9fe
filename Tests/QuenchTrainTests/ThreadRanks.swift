import Dispatch
import Foundation
@testable import QuenchDistributed
import Synchronization

/// Ranks of one process, one thread each, for tests: a collective returns once every rank reached
/// it, each getting the element-wise sum in rank order (what MPI returns for two ranks) or every
/// rank's bytes. A rank that does not arrive within `timeout` makes the others throw `timedOut`.
final class ThreadRendezvous: Sendable {
    let size: Int
    let timeout: Duration
    private let state = Mutex(State())

    private struct State {
        var arrived: [Int: [UInt8]] = [:]
        var result: [[UInt8]] = []
        /// Signalled once for each rank that waits, by the rank that arrives last.
        var released = DispatchSemaphore(value: 0)
    }

    init(size: Int, timeout: Duration = .seconds(60)) {
        self.size = size
        self.timeout = timeout
    }

    /// Every rank's `bytes`, in rank order, once all ranks have given theirs.
    ///
    /// The result stays readable until the waiting ranks took it: the next exchange cannot complete
    /// before each of them arrived at it.
    func exchange(rank: Int, _ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] {
        let wait: DispatchSemaphore? = state.withLock { state in
            state.arrived[rank] = bytes
            guard state.arrived.count == size else { return state.released }
            state.result = (0..<size).map { state.arrived[$0] ?? [] }
            state.arrived = [:]
            let released = state.released
            state.released = DispatchSemaphore(value: 0)
            for _ in 1..<size { released.signal() }
            return nil
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        if let wait, wait.wait(timeout: .now() + seconds) == .timedOut {
            throw DistributedError.timedOut(operation: operation.description, rank: rank, seconds: Int(timeout.components.seconds))
        }
        return state.withLock { $0.result }
    }

    /// Runs `body` as each rank at the same time, each on a thread of its own (with the stack training
    /// needs), and returns what each rank returned or threw, in rank order.
    func run<Value: Sendable>(_ body: @escaping @Sendable (ThreadRank) throws -> Value) -> [Result<Value, any Error>] {
        let results = RankResults<Value>()
        let finished = DispatchSemaphore(value: 0)
        for rank in 0..<size {
            let thread = Thread {
                let result = Result { try body(ThreadRank(rank, of: self)) }
                results.byRank.withLock { $0[rank] = result }
                finished.signal()
            }
            thread.stackSize = 16 << 20
            thread.start()
        }
        for _ in 0..<size { finished.wait() }
        return results.byRank.withLock { byRank in (0..<size).map { byRank[$0] ?? .failure(ThreadRankMissing(rank: $0)) } }
    }
}

/// What the ranks of `ThreadRendezvous.run` returned or threw, by rank.
private final class RankResults<Value: Sendable>: Sendable {
    let byRank = Mutex<[Int: Result<Value, any Error>]>([:])
}

/// A rank of `ThreadRendezvous.run` whose thread reported nothing.
struct ThreadRankMissing: Error, CustomStringConvertible {
    let rank: Int
    var description: String { "rank \(rank) reported nothing" }
}

/// One rank of a `ThreadRendezvous`.
final class ThreadRank: ProcessGroup {
    let rank: Int
    let rendezvous: ThreadRendezvous
    var size: Int { rendezvous.size }

    init(_ rank: Int, of rendezvous: ThreadRendezvous) {
        self.rank = rank
        self.rendezvous = rendezvous
    }

    func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
        let all = try rendezvous.exchange(rank: rank, Array(UnsafeRawBufferPointer(values)), operation)
        let parts = all.map { bytes in bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }
        for i in values.indices { values[i] = parts.dropFirst().reduce(parts[0][i]) { $0 + $1[i] } }
        return FinishedCollective()
    }

    func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) {
        let all = try rendezvous.exchange(rank: rank, values.withUnsafeBytes { Array($0) }, operation)
        let parts = all.map { bytes in bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) } }
        values = values.indices.map { i in parts.dropFirst().reduce(parts[0][i]) { $0 + $1[i] } }
    }

    func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] {
        try rendezvous.exchange(rank: rank, bytes, operation)
    }

    func barrier(_ operation: Collective) throws(DistributedError) {
        _ = try rendezvous.exchange(rank: rank, [], operation)
    }

    func abort(code: Int32) -> Never { fatalError("a test rank was aborted with \(code)") }

    func finish() {}
}
