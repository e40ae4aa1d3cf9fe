import QuenchConfig

extension SlurmResources {
    /// The resources of a Slurm section (a compute file's `backends.NAME.slurm`, a job spec's
    /// `compute.slurm`), each value checked the way the batch script will use it; every problem goes
    /// to `r` under the section's key.
    public static func read(_ r: inout ConfigReader, in s: ConfigReader.Section) -> SlurmResources {
        func text(_ key: String) -> String? {
            r.optional(key, in: s, absent: nil, expected: "text", requirement: .nonEmpty, ConfigReader.text)
        }
        func count(_ key: String) -> Int? {
            r.optional(key, in: s, absent: nil, expected: "a whole number", requirement: .atLeast(1), ConfigReader.integer)
        }
        let launcher = r.optional("launcher", in: s, absent: nil, expected: ConfigReader.choices(MPILauncher.self),
                                  MPILauncher.init(rawValue:))
        let allowRoot = r.optional("allow_run_as_root", in: s, absent: nil, expected: "true or false", ConfigReader.boolean)
        // `cpus_per_task` is Slurm's name for the older `cpus`: one setting, so never both.
        let cpus = count("cpus"), cpusPerTask = count("cpus_per_task")
        if r.isGiven("cpus", in: s), r.isGiven("cpus_per_task", in: s) {
            let relative = ConfigReader.join(s.relative, "cpus_per_task")
            r.report(.refused(reason: "`cpus` and `cpus_per_task` are the same --cpus-per-task; give only one of them"),
                     key: relative, at: r.places[relative] ?? s.place)
        }
        let resources = SlurmResources(partition: text("partition"), timeLimit: text("time_limit"), cpus: cpusPerTask ?? cpus,
                                       memory: text("memory"), gpus: count("gpus"), gpuType: text("gpu_type"),
                                       account: text("account"), qos: text("qos"), nodes: count("nodes"),
                                       tasksPerNode: count("tasks_per_node"), launcher: launcher, allowRunAsRoot: allowRoot)
        do {
            try resources.check()
        } catch DispatchError.invalidComputeConfig(_, let key, let reason) {
            let relative = ConfigReader.join(s.relative, key)
            r.report(.refused(reason: reason), key: relative, at: r.places[relative] ?? s.place)
        } catch {
            r.report(.refused(reason: "\(error)"), key: s.relative, at: s.place)
        }
        return resources
    }
}
