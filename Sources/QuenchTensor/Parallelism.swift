/// How many workers the element-wise kernels split their loops over.
///
/// Loops (norms, activations, softmax rows, adds) are cut into contiguous chunks, one per worker,
/// and run on the process's one compute team (`ComputeTeam`, libgomp's threads, shared with the
/// matrix products). Chunks depend only on the count, the grain and `workers`, never on timing,
/// so results are the same on every run. Called inside a team region, a loop runs its chunks in
/// order on the calling thread.
public struct Parallelism: Sendable, Equatable {
    /// Number of chunks a loop is cut into (at least 1).
    public let workers: Int

    public init(workers: Int) { self.workers = max(1, workers) }

    /// One worker per thread of the compute team (the online cores, unless OMP_NUM_THREADS or the
    /// process's CPU affinity says fewer).
    public static let cores = Parallelism(workers: ComputeTeam.size)

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
        ComputeTeam.run(chunks) { chunk in body(Parallelism.range(chunk, of: chunks, total: count)) }
    }

    /// Sums `partial(range)` over the ranges of `forEachRange`, in range order (deterministic).
    @inline(__always)
    public func sum(_ count: Int, grain: Int = 1, _ partial: (Range<Int>) -> Double) -> Double {
        guard count > 0 else { return 0 }
        let chunks = min(workers, max(1, count / max(grain, 1)))
        if chunks == 1 { return partial(0..<count) }
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: chunks) { sums in
            ComputeTeam.run(chunks) { chunk in
                sums[chunk] = partial(Parallelism.range(chunk, of: chunks, total: count))
            }
            return sums.reduce(0, +)
        }
    }

    static func range(_ chunk: Int, of chunks: Int, total: Int) -> Range<Int> {
        let start = total * chunk / chunks
        let end = total * (chunk + 1) / chunks
        return start..<end
    }
}
