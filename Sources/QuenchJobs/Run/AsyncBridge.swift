import Foundation

/// Runs async work (the dispatch backends) from the runner's synchronous stages.
enum AsyncBridge {
    /// Waits for `work` on a detached task. Call it only from a thread outside Swift's cooperative pool
    /// (the runner's own thread), which the wait blocks.
    static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        guard let result = box.result else { throw CancellationError() }
        return try result.get()
    }

    /// Carries the result from the task to the waiting thread; the semaphore orders the two accesses.
    private final class ResultBox<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }
}
