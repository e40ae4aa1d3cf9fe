import Foundation
import Testing
import QuenchTestSupport

/// What `quench train` does as a rank, seen from its output: every rank says where it runs, rank 0
/// alone reports, and a rank that fails ends the whole job at once instead of leaving the others
/// waiting in a collective until their deadline.
@Suite("quench train as an mpirun rank", .serialized, .timeLimit(.minutes(3)), .requiresPrograms(MPIRun.programs))
struct RankedTrainTests {
    @Test("every rank prints its start line; rank 0 alone prints the --json summary")
    func rankZeroAloneReports() throws {
        let runs = try DistributedRun("mpi-report")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        let ranked = try runs.ranks(try runs.config("ranks", steps: 2), ["--json"])
        try #require(ranked.succeeded, "\(ranked.output)")
        #expect(ranked.output.contains("[rank 0/2] pid ") && ranked.output.contains("[rank 1/2] pid "), "\(ranked.output)")
        #expect(ranked.output.components(separatedBy: "\"finalLoss\"").count - 1 == 1, "one summary, rank 0's: \(ranked.output)")
    }

    @Test("a rank that fails before any collective ends the job within seconds, its error labelled with its rank")
    func aFailingRankEndsTheJob() throws {
        let runs = try DistributedRun("mpi-fail")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        let config = try runs.config("ranks")
        let missing = runs.folder.appendingPathComponent("missing.yaml")
        // Rank 0 trains and reaches the first collective; rank 1 cannot read its configuration. Without
        // the abort, rank 0 would wait QUENCH_COLLECTIVE_TIMEOUT (30 minutes) there.
        let contexts = [runs.context(config, ranks: 1),
                        MPIRun.Context(ranks: 1, program: QuenchBinary.url, arguments: ["train", missing.path])]
        let ranked = try MPIRun.run(contexts, seconds: 60)
        #expect(!ranked.succeeded, "\(ranked.output)")
        #expect(ranked.seconds < 30, "the job took \(ranked.seconds) s to end")
        #expect(ranked.output.contains("[rank 1/2] ") && ranked.output.contains("missing.yaml"), "\(ranked.output)")
        #expect(ranked.output.contains("MPI_ABORT was invoked on rank 1"), "\(ranked.output)")
        #expect(!FileManager.default.fileExists(atPath: runs.run("ranks").appendingPathComponent("adapter").path))
    }
}
