import Foundation
import Testing
import QuenchTestSupport

/// What a launcher starting several copies of `quench` gets: a command that does not train as ranks
/// refuses to run as one of several copies, and ranks that would crowd this machine's cores are warned
/// about once, by rank 0.
@Suite("quench started by mpirun: copies and cores", .serialized, .timeLimit(.minutes(4)), .requiresPrograms(MPIRun.programs))
struct LaunchedCopiesTests {
    @Test("quench inspect as 2 mpirun copies is refused, naming the command and the copies; as 1 it inspects")
    func aCommandThatRunsAloneRefusesCopies() throws {
        let folder = try TemporaryDirectory.create("mpi-copies")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try TinyLlamaFixture.copy(into: folder)
        let inspect = { (copies: Int) in
            MPIRun.Context(ranks: copies, program: QuenchBinary.url, arguments: ["inspect", "--model", model.path])
        }
        let two = try MPIRun.run([inspect(2)], seconds: 60)
        #expect(!two.succeeded, "\(two.output)")
        #expect(two.output.contains("`quench inspect` runs as one process, but the launcher started 2 copies"), "\(two.output)")
        #expect(!two.output.contains("architecture"), "a copy inspected the model: \(two.output)")

        let one = try MPIRun.run([inspect(1)], seconds: 60)
        #expect(one.succeeded && one.output.contains("architecture  llama"), "\(one.output)")
    }

    @Test("2 ranks each taking every core get one warning from rank 0; with their share of the cores, none",
          .enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "each of 2 ranks needs a core of its own to fit"))
    func crowdedRanksAreWarnedOnce() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let runs = try DistributedRun("mpi-crowded")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        // Without OMP_NUM_THREADS each rank's compute team takes every core of the machine.
        let crowded = try MPIRun.run([runs.context(try runs.config("crowded", steps: 1))], seconds: 90, threadsPerRank: nil)
        try #require(crowded.succeeded, "\(crowded.output)")
        let warning = "warning: the 2 ranks on this machine each run \(cores) compute threads on its \(cores) cores"
        #expect(crowded.output.contains("[rank 0/2] " + warning), "\(crowded.output)")
        #expect(crowded.output.components(separatedBy: warning).count - 1 == 1, "rank 0 alone warns: \(crowded.output)")

        let fitting = try MPIRun.run([runs.context(try runs.config("fitting", steps: 1))], seconds: 90, threadsPerRank: cores / 2)
        try #require(fitting.succeeded, "\(fitting.output)")
        #expect(!fitting.output.contains("warning: the 2 ranks"), "\(fitting.output)")
    }
}
