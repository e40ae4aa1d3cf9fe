/// What starts the ranks of a Slurm job with more than one task, each rank one `quench train`
/// process that joins the others through Open MPI.
public enum MPILauncher: String, Codable, Sendable, CaseIterable {
    /// `srun --mpi=pmix`: Slurm starts, tracks and kills every rank itself. Needs Slurm's PMIx plugin
    /// (Debian: slurm-wlm-basic-plugins) and the libpmix.so it loads (Debian: libpmix-dev) on each node.
    case srun
    /// Open MPI's `mpirun` inside the allocation: needs no Slurm MPI plugin, but refuses to run as root
    /// unless `allowRunAsRoot`.
    case mpirun

    /// The batch-script lines that start `tasks` ranks of `quench train --bundle "$d"`, each with
    /// `cpusPerTask` OpenMP threads (1 when not given, as Slurm then gives each task one CPU).
    ///
    /// srun gets `--kill-on-bad-exit=1` so a rank that dies ends the others at once instead of leaving
    /// them in a collective until the time limit (mpirun does that by default); srun also gets
    /// `--cpus-per-task` again, since srun in Slurm 22.05 does not inherit sbatch's.
    func lines(quench: String, tasks: Int, cpusPerTask: Int?, allowRunAsRoot: Bool) -> [String] {
        let train = "\(ShellQuote.quote(quench)) train --bundle \"$d\""
        var lines = ["# \(tasks) ranks, each a quench train process started by \(rawValue); rank 0 alone writes the output",
                     "export OMP_NUM_THREADS=\(cpusPerTask ?? 1)"]
        switch self {
        case .srun:
            let cpus = cpusPerTask.map { " --cpus-per-task=\($0)" } ?? ""
            lines.append("srun --mpi=pmix --kill-on-bad-exit=1\(cpus) \(train)")
        case .mpirun:
            if allowRunAsRoot { lines.append("export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1") }
            lines.append("mpirun -np \(tasks) --bind-to none -x OMP_NUM_THREADS \(train)")
        }
        return lines
    }
}
