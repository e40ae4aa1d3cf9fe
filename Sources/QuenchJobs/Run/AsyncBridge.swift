import Foundation
import Synchronization

/// Runs async work (the dispatch backends) from the runner's synchronous stages.
enum AsyncBridge {
    /// Waits for `work` on a detached task, at most `timeout` seconds when given. Call it only from a
    /// thread outside Swift's cooperative pool (the runner's own thread, a signal handler's queue),
    /// which the wait blocks: from a task it could starve the pool the work needs.
    static func wait<T: Sendable>(timeout: Double? = nil, _ work: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached {
            let result: Result<T, Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            outcome.result.withLock { $0 = result }
            done.signal()
        }
        if let timeout, done.wait(timeout: .now() + timeout) == .timedOut {
            task.cancel()
            throw RunError.gaveUp(seconds: timeout)
        } else if timeout == nil {
            done.wait()
        }
        return try outcome.result.withLock { $0 }.get()
    }

    /// The task's result, handed to the waiting thread; a cancellation until the task sets it.
    private final class Outcome<T: Sendable>: Sendable {
        let result = Mutex<Result<T, Error>>(.failure(CancellationError()))
    }
}
