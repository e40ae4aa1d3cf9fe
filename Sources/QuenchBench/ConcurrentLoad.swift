import Foundation
import Synchronization

/// Drives one operation from several client threads at once (real threads: each blocks in its own
/// synchronous HTTP call, as separate client processes would) and times every call.
public enum ConcurrentLoad {
    /// When a run ends: after a duration, or after a number of operations shared by all clients.
    public enum Limit: Sendable {
        case seconds(Double)
        case operations(Int)
    }

    /// Runs `operation(index)` from `clients` threads until `limit`, each thread starting its next call
    /// as soon as the last returns; the first error stops every thread and is rethrown.
    public static func run(
        clients: Int, limit: Limit, operation: @escaping @Sendable (Int) throws -> Void
    ) throws -> Latencies {
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline: UInt64? = if case .seconds(let seconds) = limit { start + UInt64(seconds * 1e9) } else { nil }
        let tally = Tally(limit: limit, deadline: deadline)
        let group = DispatchGroup()
        for _ in 0..<max(1, clients) {
            group.enter()
            Thread {
                defer { group.leave() }
                while let index = tally.next() {
                    let began = DispatchTime.now().uptimeNanoseconds
                    do {
                        try operation(index)
                    } catch {
                        return tally.fail(error)
                    }
                    tally.record(Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9)
                }
            }.start()
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return Latencies(samples: try tally.samples(), seconds: seconds)
    }

    /// What the client threads share: the next operation's index, the samples and the first failure.
    private final class Tally: Sendable {
        private struct State {
            var started = 0
            var samples: [Double] = []
            var failure: (any Error)?
        }

        private let state = Mutex(State())
        private let limit: Limit
        private let deadline: UInt64?

        init(limit: Limit, deadline: UInt64?) {
            self.limit = limit
            self.deadline = deadline
        }

        /// The index of the next operation to start, or nil when the run is over (limit reached or a failure).
        func next() -> Int? {
            if let deadline, DispatchTime.now().uptimeNanoseconds >= deadline { return nil }
            return state.withLock { state -> Int? in
                guard state.failure == nil else { return nil }
                if case .operations(let count) = limit, state.started >= count { return nil }
                defer { state.started += 1 }
                return state.started
            }
        }

        func record(_ seconds: Double) { state.withLock { $0.samples.append(seconds) } }

        func fail(_ error: any Error) { state.withLock { if $0.failure == nil { $0.failure = error } } }

        /// The samples, or the first failure.
        func samples() throws -> [Double] {
            let (samples, failure) = state.withLock { ($0.samples, $0.failure) }
            if let failure { throw failure }
            return samples
        }
    }
}
