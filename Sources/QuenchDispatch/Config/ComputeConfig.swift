import Foundation
import QuenchConfig

/// `configs/compute.yaml`: the named backends a job spec's `compute.backend` (or
/// `quench jobs submit --backend`) chooses from.
///
/// ```yaml
/// backends:
///   gpu-box:
///     kind: ssh                      # process | ssh | slurm
///     host: gpu-box.example.org
///     port: 22
///     user: quench
///     identity_file: ~/.ssh/quench_ed25519
///     known_hosts_file: ~/.ssh/quench_known_hosts
///     work_directory: /scratch/quench/jobs
///     quench: /opt/quench/bin/quench
///   cluster:
///     kind: slurm                    # with host/user/...: submit through that login node
///     work_directory: /shared/quench/jobs
///     slurm: {partition: gpu, time_limit: "02:00:00", cpus: 8, memory: 32G, gpus: 1, account: ml, qos: normal}
///   slurm-2x:                        # data-parallel: one rank per task, gradients summed with Open MPI
///     kind: slurm
///     work_directory: /shared/quench/jobs
///     quench: /shared/quench/bin/quench
///     slurm: {partition: cpu, nodes: 2, tasks_per_node: 1, cpus_per_task: 32, launcher: srun}
/// ```
///
/// With more than one task (`nodes` × `tasks_per_node`), `launcher` (`srun`, the default, or `mpirun`)
/// starts the ranks; with one task it is not used. `allow_run_as_root: true` goes with `launcher:
/// mpirun` only, and lets mpirun start ranks as root.
public struct ComputeConfig: Sendable, Equatable {
    /// The entries, by name.
    public let backends: [String: BackendSettings]

    static let entryKeys = ["kind", "host", "port", "user", "identity_file", "known_hosts_file", "work_directory",
                            "quench", "slurm", "poll_seconds"]
    /// The keys of a `slurm` resources section (here, and in a job spec's `compute.slurm`).
    public static let slurmKeys = ["partition", "time_limit", "cpus", "cpus_per_task", "memory", "gpus", "gpu_type",
                                   "account", "qos", "nodes", "tasks_per_node", "launcher", "allow_run_as_root"]

    /// The backend named `name`, or an error listing the known names.
    public func backend(named name: String) throws -> BackendSettings {
        guard let settings = backends[name] else { throw DispatchError.unknownBackend(name: name, known: backends.keys.sorted()) }
        return settings
    }

    /// Reads the compute file at `url`; `~` and relative paths of key files are resolved here, against
    /// the home folder and the current directory.
    /// - Throws: `ConfigFileError` naming the file, and for an invalid one every problem with its line and key.
    public static func load(contentsOf url: URL) throws -> ComputeConfig {
        try load(ConfigDocument(contentsOf: url.path))
    }

    /// Parses compute-file text; `file` names it in messages.
    public static func load(yaml: String, file: String) throws -> ComputeConfig {
        try load(ConfigDocument(yaml: yaml, file: file))
    }

    /// Known keys: `backends` at the top, the entry and Slurm keys under each backend's name.
    static let schema: [String: [String]] = ["": ["backends"], "backends.*": entryKeys, "backends.*.slurm": slurmKeys]

    private static func load(_ document: ConfigDocument) throws(ConfigFileError) -> ComputeConfig {
        try document.read(schema: schema) { reader, root in
            var compute = ComputeFileReader(r: reader)
            defer { reader = compute.r }
            return ComputeConfig(backends: compute.read(root))
        }
    }
}
