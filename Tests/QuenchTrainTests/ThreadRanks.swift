import Foundation
import QuenchDistributed
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
        var generation = 0
        var result: [[UInt8]] = []
    }

    init(size: Int, timeout: Duration = .seconds(60)) {
        self.size = size
        self.timeout = timeout
    }

    /// Every rank's `bytes`, in rank order, once all ranks have given theirs.
    func exchange(rank: Int, _ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] {
        let mine = state.withLock { state in
            state.arrived[rank] = bytes
            let generation = state.generation
            if state.arrived.count == size {
                state.result = (0..<size).map { state.arrived[$0] ?? [] }
                state.arrived = [:]
                state.generation += 1
            }
            return generation
        }
        let clock = ContinuousClock(), deadline = clock.now + timeout
        while true {
            if let result = state.withLock({ $0.generation == mine ? nil : $0.result }) { return result }
            guard clock.now < deadline else {
                throw DistributedError.timedOut(operation: operation.description, rank: rank, seconds: Int(timeout.components.seconds))
            }
            usleep(100)
        }
    }
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
        return Finished()
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

    final class Finished: PendingCollective {
        func poll() throws(DistributedError) -> Bool { true }
        func wait() throws(DistributedError) {}
    }
}
