/// The ranks training one model together and the collectives they run: `SoloGroup` for a plain
/// process, `MPIGroup` under `mpirun` or `srun --mpi=pmix`. Every collective's wait has a deadline,
/// so a rank that died never leaves the others hanging.
///
/// All calls are made from one thread (the trainer's), never from the compute team's workers.
public protocol ProcessGroup: AnyObject {
    /// This process's rank, 0 ..< size.
    var rank: Int { get }
    /// How many ranks train together.
    var size: Int { get }
    /// How many of them run on this machine and share its memory (1 ... size).
    var ranksOnThisNode: Int { get }
    /// Starts summing `values` over all ranks in place; `PendingCollective.wait` finishes it, after
    /// which every rank holds the same floats. `values` must stay alive and untouched until then.
    func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective
    /// Sums `values` over all ranks; every rank gets the same numbers.
    func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError)
    /// Every rank's `bytes` (the same length on every rank), in rank order.
    func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]]
    /// Returns when every rank has reached it.
    func barrier(_ operation: Collective) throws(DistributedError)
    /// Ends every rank of the job now (MPI_Abort): after a failed collective the group cannot go on.
    func abort(code: Int32) -> Never
    /// Leaves the group at the end of a run (MPI_Finalize).
    func finish()
}

extension ProcessGroup {
    /// Sums `values` over all ranks in place and waits for it.
    public func sum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) {
        try startSum(values, operation).wait()
    }

    /// Whether this rank writes the run's files (rank 0 alone does).
    public var writes: Bool { rank == 0 }

    /// What starts this rank's log lines when several ranks print to one log ("[rank 1/2] "); empty alone.
    public var logLabel: String { RankLabel.text(rank: rank, size: size) }

    /// Every rank, unless the group knows better: the guess that never plans more memory than a machine has.
    public var ranksOnThisNode: Int { size }
}

/// A collective that was started and has not been waited for.
public protocol PendingCollective: AnyObject {
    /// Makes progress; true once it finished.
    func poll() throws(DistributedError) -> Bool
    /// Returns once it finished, or throws when it failed or its deadline passed.
    func wait() throws(DistributedError)
}

/// What a collective is for, named in errors: "gradients" at step 12.
public struct Collective: Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let step: Int?

    public init(_ name: String, step: Int? = nil) {
        self.name = name
        self.step = step
    }

    public var description: String { step.map { "\(name) at step \($0)" } ?? name }
}
