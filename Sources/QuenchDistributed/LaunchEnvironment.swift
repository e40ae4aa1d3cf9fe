/// How this process was started: alone, by `mpirun`, or by `srun --mpi=pmix`; read from the
/// environment only, so deciding costs nothing and a plain run never loads MPI.
public struct LaunchEnvironment: Equatable, Sendable {
    /// The programs that start ranks.
    public enum Launcher: String, Sendable {
        case solo
        case mpirun
        case pmix = "srun --mpi=pmix"

        /// The variable this launcher names the rank in.
        public var rankVariable: String { self == .mpirun ? "OMPI_COMM_WORLD_RANK" : "PMIX_RANK" }
        /// The variable this launcher names the number of ranks in.
        public var sizeVariable: String { self == .mpirun ? "OMPI_COMM_WORLD_SIZE" : "SLURM_STEP_NUM_TASKS" }
    }

    public let launcher: Launcher
    /// This process's rank as the launcher states it.
    public let rank: Int
    /// How many ranks the launcher started; nil under PMIx outside a Slurm step, where MPI tells.
    public let size: Int?

    /// A process no launcher started.
    public static let solo = LaunchEnvironment(launcher: .solo, rank: 0, size: 1)

    public init(launcher: Launcher, rank: Int, size: Int?) {
        self.launcher = launcher
        self.rank = rank
        self.size = size
    }

    /// Reads the launcher's variables: `OMPI_COMM_WORLD_SIZE`/`RANK` (mpirun), `PMIX_RANK` (srun
    /// with the PMIx plugin, size from `SLURM_STEP_NUM_TASKS`). Several srun tasks without either
    /// would each train alone, so they are refused. A Slurm batch script itself (`SLURM_NTASKS` but
    /// no `SLURM_STEP_NUM_TASKS`) is solo: commands it runs directly must not become ranks.
    public static func detect(_ environment: [String: String]) throws(DistributedError) -> LaunchEnvironment {
        if let sizeText = environment["OMPI_COMM_WORLD_SIZE"] {
            let launcher = Launcher.mpirun
            let size = try number(sizeText, launcher.sizeVariable, atLeast: 1)
            guard let rankText = environment[launcher.rankVariable] else {
                throw .inconsistentLaunch(variable: launcher.rankVariable, value: "",
                                          reason: "it is missing although \(launcher.sizeVariable)=\(sizeText) is set")
            }
            return try checked(launcher, rank: number(rankText, launcher.rankVariable, atLeast: 0), size: size)
        }
        let tasks = try environment["SLURM_STEP_NUM_TASKS"].map { text throws(DistributedError) in
            try number(text, "SLURM_STEP_NUM_TASKS", atLeast: 1)
        }
        if let rankText = environment["PMIX_RANK"] {
            let launcher = Launcher.pmix
            return try checked(launcher, rank: number(rankText, launcher.rankVariable, atLeast: 0), size: tasks)
        }
        if let tasks, tasks > 1 { throw .launchedWithoutMPI(tasks: tasks) }
        return .solo
    }

    /// How many processes the launcher started with this command, whether or not they join as ranks:
    /// mpirun's size, else the Slurm step's tasks; 1 outside a launch, or when neither is a number.
    public static func copies(in environment: [String: String]) -> Int {
        [Launcher.mpirun.sizeVariable, Launcher.pmix.sizeVariable].compactMap { environment[$0].flatMap { Int($0) } }.max() ?? 1
    }

    /// The launch, once the rank is known to lie below the size (when the size is known).
    private static func checked(_ launcher: Launcher, rank: Int, size: Int?) throws(DistributedError) -> LaunchEnvironment {
        if let size, rank >= size {
            throw .inconsistentLaunch(variable: launcher.rankVariable, value: String(rank),
                                      reason: "the rank must be below the number of ranks, \(launcher.sizeVariable)=\(size)")
        }
        return LaunchEnvironment(launcher: launcher, rank: rank, size: size)
    }

    /// `text` as a whole number of at least `minimum`, or an error naming `variable`.
    private static func number(_ text: String, _ variable: String, atLeast minimum: Int) throws(DistributedError) -> Int {
        guard let value = Int(text), value >= minimum else {
            throw .inconsistentLaunch(variable: variable, value: text, reason: "expected a whole number of at least \(minimum)")
        }
        return value
    }
}
