/// Why ranks could not train together, naming the rank, the collective and the step.
public enum DistributedError: Error, Equatable, CustomStringConvertible {
    /// A launcher started this process but Open MPI's library could not be loaded.
    case libraryUnavailable(path: String, launcher: String, reason: String)
    /// The loaded MPI is not Open MPI 4 or 5, whose ABI Quench calls.
    case unsupportedLibrary(path: String, version: String)
    /// srun started several tasks without an MPI plugin: each would train alone.
    case launchedWithoutMPI(tasks: Int)
    /// The launcher's environment names a rank or size that is not a number, or MPI disagrees with it.
    case inconsistentLaunch(variable: String, value: String, reason: String)
    /// A Quench variable in the environment (QUENCH_COLLECTIVE_TIMEOUT, QUENCH_MPI_LIBRARY) has a value it cannot use.
    case invalidSetting(variable: String, value: String, expected: String)
    /// An MPI call failed.
    case collectiveFailed(operation: String, rank: Int, code: Int32, message: String)
    /// A collective did not finish before its deadline.
    case timedOut(operation: String, rank: Int, seconds: Int)
    /// Ranks hold different configurations, data or weights.
    case ranksDisagree(what: String, operation: String, ranks: [Int])
    /// A launcher started several copies of a command that does not run as ranks.
    case runsAlone(command: String, copies: Int)

    public var description: String {
        switch self {
        case .libraryUnavailable(let path, let launcher, let reason):
            return "\(launcher) started this process as an MPI rank, but Open MPI's library \(path) cannot be loaded (\(reason)); "
                + "install openmpi-bin on every node (Debian), or set QUENCH_MPI_LIBRARY to the path of libmpi.so.40"
        case .unsupportedLibrary(let path, let version):
            return "\(path) is \(version.isEmpty ? "an unknown MPI" : "'\(version)'"); Quench runs ranks on Open MPI 4 or 5 "
                + "(Debian's openmpi-bin): point QUENCH_MPI_LIBRARY at its libmpi.so.40"
        case .launchedWithoutMPI(let tasks):
            return "srun started \(tasks) tasks without an MPI plugin, so each would train alone; "
                + "launch with `srun --mpi=pmix` (or mpirun inside the allocation)"
        case .inconsistentLaunch(let variable, let value, let reason):
            return value.isEmpty ? "the launcher did not set \(variable): \(reason)" : "the launcher set \(variable)=\(value): \(reason)"
        case .invalidSetting(let variable, let value, let expected):
            return "\(variable)=\(value.isEmpty ? "(empty)" : value) in the environment: expected \(expected)"
        case .collectiveFailed(let operation, let rank, let code, let message):
            return "rank \(rank): the \(operation) failed (MPI error \(code): \(message)); another rank probably died: "
                + "see its log, then continue with --resume from the last checkpoint"
        case .timedOut(let operation, let rank, let seconds):
            return "rank \(rank): the \(operation) did not finish within \(seconds) s (QUENCH_COLLECTIVE_TIMEOUT); "
                + "another rank died or hangs: see its log, then continue with --resume from the last checkpoint"
        case .ranksDisagree(let what, let operation, let ranks):
            let names = ranks.map(String.init).joined(separator: ", ")
            return "rank\(ranks.count == 1 ? "" : "s") \(names) hold\(ranks.count == 1 ? "s" : "") different \(what) from rank 0 "
                + "(\(operation)); every rank must load the same model, configuration and data, and run the same Quench"
        case .runsAlone(let command, let copies):
            return "`\(command)` runs as one process, but the launcher started \(copies) copies of it, each of which would "
                + "do the whole work on the same files; run it once, without mpirun or srun (only `quench train` and "
                + "`quench bench train` train as ranks)"
        }
    }
}
