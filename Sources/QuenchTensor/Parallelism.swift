import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// How many workers the element-wise kernels split their loops over.
///
/// BLAS runs its own threads; everything else (norms, activations, softmax rows, adds) is cut into
/// contiguous chunks, one per worker, and run with `DispatchQueue.concurrentPerform`.
public struct Parallelism: Sendable, Equatable {
    /// Number of chunks a loop is cut into (at least 1).
    public let workers: Int

    public init(workers: Int) { self.workers = max(1, workers) }

    /// One worker per online core.
    public static let cores = Parallelism(workers: Parallelism.onlineCores())

    /// Everything on the calling thread.
    public static let serial = Parallelism(workers: 1)

    /// Runs `body` over `0..<count` cut into at most `workers` contiguous ranges, each at least
    /// `grain` long; ranges run concurrently and `body` must only write what its range owns.
    @inline(__always)
    public func forEachRange(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
        guard count > 0 else { return }
        let chunks = min(workers, max(1, count / max(grain, 1)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        Parallelism.run(chunks) { chunk in body(Parallelism.range(chunk, of: chunks, total: count)) }
    }

    /// Sums `partial(range)` over the ranges of `forEachRange`, in range order (deterministic).
    @inline(__always)
    public func sum(_ count: Int, grain: Int = 1, _ partial: (Range<Int>) -> Double) -> Double {
        guard count > 0 else { return 0 }
        let chunks = min(workers, max(1, count / max(grain, 1)))
        if chunks == 1 { return partial(0..<count) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks) { sums in
            Parallelism.run(chunks) { chunk in
                sums[chunk] = partial(Parallelism.range(chunk, of: chunks, total: count))
            }
            return sums.reduce(0, +)
        }
    }

    /// Runs `work(0..<iterations)` concurrently and returns when all have finished.
    ///
    /// The one place where kernels' pointer-capturing closures cross threads. Dispatch asks for a
    /// `@Sendable` closure; ours capture raw buffers, which is sound here because every caller
    /// hands each iteration a disjoint range to write and the call blocks until all are done, so
    /// no buffer outlives the call or is written by two iterations.
    private static func run(_ iterations: Int, _ work: (Int) -> Void) {
        withoutActuallyEscaping(work) { work in
            nonisolated(unsafe) let shared = work
            DispatchQueue.concurrentPerform(iterations: iterations) { shared($0) }
        }
    }

    static func range(_ chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
        let start = total * chunk / chunks
        let end = total * (chunk + 1) / chunks
        return start..<end
    }

    static func onlineCores() -> Int {
        #if canImport(Glibc)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }
}
