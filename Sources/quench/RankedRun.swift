import ArgumentParser
import Foundation
import QuenchDistributed
import QuenchTensor

/// A command that runs as one rank of several when a launcher starts it (`quench train`, `quench bench train`).
protocol RankedCommand {}

/// Runs a command as one rank of the job a launcher (`mpirun`, `srun --mpi=pmix`) started, or alone.
enum RankedRun {
    /// Refuses to run `command`, which is not a `RankedCommand`, as one of several copies a launcher
    /// started: each copy would do the whole work on the same files.
    static func requireAlone(_ command: ParsableCommand) throws {
        let copies = LaunchEnvironment.copies(in: ProcessInfo.processInfo.environment)
        guard copies <= 1 else {
            let type = type(of: command)
            throw DistributedError.runsAlone(command: "quench " + (type.configuration.commandName ?? "\(type)".lowercased()),
                                             copies: copies)
        }
    }

    /// Joins the ranks, runs `body` with them and leaves the group. With several ranks every rank says
    /// where it runs, and a rank that fails (joining included, once MPI started) prints its error with
    /// its rank and ends the whole job (MPI_Abort), so no other rank is left waiting in a collective.
    /// Alone (`mpirun -np 1` too) an error is thrown after MPI is finalized.
    static func run(_ body: (any ProcessGroup) throws -> Void) throws {
        let group = try ProcessGroups.join { error, rank, size in
            progress(RankLabel.text(rank: rank, size: size) + Quench.message(for: error))
        }
        defer { group.finish() }
        let label = group.logLabel
        if group.size > 1 { progress("\(label)pid \(getpid()) on \(MachineName.current())") }
        if group.writes, let crowding = crowding(group) { progress(label + crowding) }
        do {
            try body(group)
        } catch {
            guard group.size > 1 else { throw error }
            progress(label + Quench.message(for: error))
            let code = Quench.exitCode(for: error).rawValue
            group.abort(code: code == 0 ? 1 : code)
        }
    }

    /// A warning when the ranks on this machine start more compute threads together than it has cores
    /// (each takes them all unless `OMP_NUM_THREADS` or its binding says otherwise), so they would
    /// slow each other down; nil when they fit.
    static func crowding(_ group: any ProcessGroup) -> String? {
        let threads = Parallelism.cores.workers, cores = ProcessInfo.processInfo.activeProcessorCount
        guard group.ranksOnThisNode > 1, threads * group.ranksOnThisNode > cores else { return nil }
        return "warning: the \(group.ranksOnThisNode) ranks on this machine each run \(threads) compute threads on its "
            + "\(cores) cores; give each rank its share with OMP_NUM_THREADS (mpirun -x OMP_NUM_THREADS=\(max(cores / group.ranksOnThisNode, 1)), "
            + "or Slurm's cpus_per_task) or bind each to its cores (mpirun --bind-to core)"
    }
}
