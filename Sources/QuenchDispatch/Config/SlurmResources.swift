/// What a Slurm job asks the scheduler for; every field optional, so the cluster's defaults apply
/// to whatever is left out.
public struct SlurmResources: Codable, Sendable, Equatable {
    public var partition: String?
    /// `--time`: minutes, `MM:SS`, `HH:MM:SS`, `D-HH`, `D-HH:MM` or `D-HH:MM:SS`.
    public var timeLimit: String?
    /// `--cpus-per-task` (key `cpus` or `cpus_per_task`); with more than one task, also each rank's threads.
    public var cpus: Int?
    /// `--mem`: a number with an optional K, M, G or T suffix.
    public var memory: String?
    /// GPUs per node, requested as `--gres=gpu[:type]:N`.
    public var gpus: Int?
    public var gpuType: String?
    public var account: String?
    public var qos: String?
    /// `--nodes`: the machines training one model together.
    public var nodes: Int?
    /// `--ntasks-per-node`: the ranks on each node.
    public var tasksPerNode: Int?
    /// What starts the ranks of a job with more than one task; `srun` when not given.
    public var launcher: MPILauncher?
    /// With `launcher: mpirun`: lets mpirun start ranks as root, which Open MPI refuses unless told.
    public var allowRunAsRoot: Bool?

    /// Resources with the cluster's defaults for everything not given.
    public init(partition: String? = nil, timeLimit: String? = nil, cpus: Int? = nil, memory: String? = nil,
                gpus: Int? = nil, gpuType: String? = nil, account: String? = nil, qos: String? = nil,
                nodes: Int? = nil, tasksPerNode: Int? = nil, launcher: MPILauncher? = nil, allowRunAsRoot: Bool? = nil) {
        self.partition = partition
        self.timeLimit = timeLimit
        self.cpus = cpus
        self.memory = memory
        self.gpus = gpus
        self.gpuType = gpuType
        self.account = account
        self.qos = qos
        self.nodes = nodes
        self.tasksPerNode = tasksPerNode
        self.launcher = launcher
        self.allowRunAsRoot = allowRunAsRoot
    }

    /// The ranks the job runs: nodes × tasks per node, 1 for each not given.
    /// - Throws: `invalidComputeConfig` naming `nodes` or `tasks_per_node` for a count below 1, or a
    ///   product too large to count.
    public func tasks() throws -> Int {
        let nodes = try SlurmScript.positive(nodes ?? 1, key: "nodes")
        let perNode = try SlurmScript.positive(tasksPerNode ?? 1, key: "tasks_per_node")
        let (total, overflow) = nodes.multipliedReportingOverflow(by: perNode)
        guard !overflow else {
            throw DispatchError.invalidComputeConfig(file: "slurm", key: "tasks_per_node",
                                                     reason: "\(nodes) nodes × \(perNode) tasks per node is too many to count")
        }
        return total
    }

    /// Refuses a value `sbatch` would not take, as the batch script would: `invalidComputeConfig` names
    /// the key (`time_limit`, `memory`, ...).
    public func check() throws {
        _ = try SlurmScript.render(id: "check", directory: "/check", quench: "quench", resources: self)
    }

    /// What these resources ask for, as stable text for a run's stage inputs (a change starts training
    /// over): the fields in order, `-` for each not given; the rank settings follow only when given, so
    /// resources without them read as they did before ranks existed.
    public var identity: String {
        let fields = [partition, timeLimit, cpus.map(String.init), memory, gpus.map(String.init), gpuType, account, qos]
        let ranks = [("nodes", nodes.map(String.init)), ("tasks_per_node", tasksPerNode.map(String.init)),
                     ("launcher", launcher?.rawValue), ("allow_run_as_root", allowRunAsRoot.map(String.init))]
        return (fields.map { $0 ?? "-" } + ranks.compactMap { key, value in value.map { "\(key)=\($0)" } })
            .joined(separator: ",")
    }

    /// These resources with every field `overrides` sets taken from it (a job spec over compute.yaml).
    public func merging(_ overrides: SlurmResources) -> SlurmResources {
        SlurmResources(partition: overrides.partition ?? partition, timeLimit: overrides.timeLimit ?? timeLimit,
                       cpus: overrides.cpus ?? cpus, memory: overrides.memory ?? memory, gpus: overrides.gpus ?? gpus,
                       gpuType: overrides.gpuType ?? gpuType, account: overrides.account ?? account, qos: overrides.qos ?? qos,
                       nodes: overrides.nodes ?? nodes, tasksPerNode: overrides.tasksPerNode ?? tasksPerNode,
                       launcher: overrides.launcher ?? launcher, allowRunAsRoot: overrides.allowRunAsRoot ?? allowRunAsRoot)
    }
}
