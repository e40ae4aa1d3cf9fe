import Foundation
import PostgresNIO
import QuenchRegistry
import Synchronization

/// How long the store waits for the database before giving up, so a dead socket, a lost server or a lock
/// held elsewhere fails a registry call instead of hanging its thread for ever.
struct PostgresDeadline: Sendable {
    /// The longest wait for one answer (a connection, a statement).
    let timeout: Duration

    /// Whether the deadline of one wait passed first; read and set on the future's event loop.
    private final class Expiry: Sendable {
        let passed = Mutex(false)
    }

    private struct Expired: Error {}

    /// The server-side `statement_timeout` (milliseconds): a little longer than the client's deadline, so a
    /// statement whose connection the client closed (the server notices only when it next writes) still ends.
    var serverStatementTimeout: String {
        let (milliseconds, overflow) = timeout.components.seconds.multipliedReportingOverflow(by: 1000)
        let (total, overflowed) = milliseconds.addingReportingOverflow(1000)
        return overflow || overflowed ? "0" : String(total)
    }

    /// Waits on this thread (never an event loop) for `future`, at most `timeout`.
    ///
    /// Past the deadline `expire` runs on the future's event loop (to close the connection), and a value
    /// arriving later goes to `discardLate` (to close a connection opened too late) instead of being lost.
    /// - Throws: `RegistryError.storeFailure` naming `operation` and the timeout; whatever `future` fails with.
    func wait<Value: Sendable>(
        for future: EventLoopFuture<Value>, _ operation: String,
        expire: @escaping @Sendable () -> Void = {}, discardLate: @escaping @Sendable (Value) -> Void = { _ in }
    ) throws -> Value {
        let loop = future.eventLoop
        let promise = loop.makePromise(of: Value.self)
        let expiry = Expiry()
        let timer = loop.scheduleTask(in: TimeAmount(timeout)) {
            expiry.passed.withLock { $0 = true }
            promise.fail(Expired())
            expire()
        }
        future.whenComplete { result in
            timer.cancel()
            if expiry.passed.withLock({ $0 }) {
                if case .success(let late) = result { discardLate(late) }
            } else {
                promise.completeWith(result)
            }
        }
        do {
            return try promise.futureResult.wait()
        } catch is Expired {
            throw RegistryError.storeFailure(
                operation: operation,
                reason: "no answer within \(description) (the store's statement timeout); the connection was closed")
        }
    }

    /// The timeout as a person reads it: "60 s", "1.5 s".
    var description: String {
        let (seconds, attoseconds) = timeout.components
        guard attoseconds != 0 else { return "\(seconds) s" }
        return "\(Double(seconds) + Double(attoseconds) / 1e18) s"
    }
}
