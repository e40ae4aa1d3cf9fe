import Foundation
import QuenchDistributed

/// Runs a command as one rank of the job a launcher (`mpirun`, `srun --mpi=pmix`) started, or alone.
enum RankedRun {
    /// Joins the ranks, runs `body` with them and leaves the group. With several ranks every rank says
    /// where it runs, and a rank that fails (joining included, once MPI started) prints its error with
    /// its rank and ends the whole job (MPI_Abort), so no other rank is left waiting in a collective.
    /// Alone (`mpirun -np 1` too) an error is thrown after MPI is finalized.
    static func run(_ body: (any ProcessGroup) throws -> Void) throws {
        let group = try ProcessGroups.join { error, rank, size in
            progress(rankLabel(rank: rank, size: size) + Quench.message(for: error))
        }
        defer { group.finish() }
        let label = rankLabel(group)
        if group.size > 1 { progress("\(label)pid \(getpid()) on \(MachineName.current())") }
        do {
            try body(group)
        } catch {
            guard group.size > 1 else { throw error }
            progress(label + Quench.message(for: error))
            let code = Quench.exitCode(for: error).rawValue
            group.abort(code: code == 0 ? 1 : code)
        }
    }

    /// "[rank r/N] " before a rank's lines when several ranks print to one log; empty alone.
    static func rankLabel(_ group: any ProcessGroup) -> String {
        rankLabel(rank: group.rank, size: group.size)
    }

    /// The same for rank `rank` of `size` ranks ("[rank r] " when the number is unknown).
    private static func rankLabel(rank: Int, size: Int?) -> String {
        guard let size else { return "[rank \(rank)] " }
        return size > 1 ? "[rank \(rank)/\(size)] " : ""
    }
}
