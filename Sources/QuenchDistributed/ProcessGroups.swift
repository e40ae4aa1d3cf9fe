import Foundation

/// Joining the ranks a launcher started.
public enum ProcessGroups {
    /// The environment variable that names another Open MPI library than `libmpi.so.40`.
    public static let libraryVariable = "QUENCH_MPI_LIBRARY"

    /// `SoloGroup` unless `mpirun` or `srun --mpi=pmix` started this process; then Open MPI is loaded,
    /// initialised (serialized threads, errors returned rather than fatal) and checked against the
    /// launcher's rank and size. A plain run never loads MPI.
    ///
    /// Once MPI started, a failure ends the job: with other ranks, `report` gets the error, this rank
    /// and the number of ranks (nil when MPI could not tell) to print, then MPI_Abort ends every rank;
    /// alone, MPI is finalized and the error thrown.
    public static func join(environment: [String: String] = ProcessInfo.processInfo.environment,
                            beforeAbort report: (DistributedError, _ rank: Int, _ size: Int?) -> Void) throws(DistributedError) -> any ProcessGroup {
        let launch = try LaunchEnvironment.detect(environment)
        guard launch.launcher != .solo else { return SoloGroup() }
        let timeout = try CollectiveTimeout(environment: environment)
        let path = environment[libraryVariable] ?? MPILibrary.defaultPath
        guard !path.isEmpty else {
            throw .invalidSetting(variable: libraryVariable, value: path, expected: "the path of Open MPI's libmpi.so.40")
        }
        let library = try MPILibrary.load(path: path, launcher: launch.launcher.rawValue)
        return try MPIGroup(library: library, launch: launch, timeout: timeout, beforeAbort: report)
    }
}
