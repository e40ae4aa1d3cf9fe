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

    @Test("the 2-rank example of jobs/training, run by the command in its first line, trains the adapter one process trains from it",
          .requiresDemoModel, .enabled(if: ProcessInfo.processInfo.activeProcessorCount >= 2, "--bind-to core needs a core for each rank"))
    func theShippedTwoRankExampleRunsAsWritten() throws {
        let name = "smollm2-135m_lora_temperature-2-ranks"
        let config = "jobs/training/\(name).yaml"
        let folder = try TemporaryDirectory.create("mpi-example")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Two working folders whose `jobs` is the repository's, so the configuration's relative paths hold.
        let (ranked, alone) = (folder.appendingPathComponent("ranked"), folder.appendingPathComponent("alone"))
        for directory in [ranked, alone] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("jobs"),
                                                       withDestinationURL: SharedFixtures.repository.appendingPathComponent("jobs"))
        }
        let text = try String(contentsOf: SharedFixtures.repository.appendingPathComponent(config), encoding: .utf8)
        let first = try #require(text.split(separator: "\n").first)
        let words = first.dropFirst(2).split(separator: " ").map(String.init)
        try #require(words.first == "mpirun" && words.contains("quench"), "\(first)")

        // The command as written, run in the working folder (-wdir) with root allowed, within a deadline.
        let arguments = ["-wdir", ranked.path] + words.dropFirst().map { $0 == "quench" ? QuenchBinary.url.path : $0 }
        let result = try MPIRun.run(arguments: arguments, seconds: 150)
        let output = result.output
        try #require(result.succeeded, "\(output)")
        #expect(output.contains("[rank 0/2] step 12/12") && output.contains("[rank 1/2] pid "), "\(output)")

        try QuenchBinary.run(["train", config], environment: ["OMP_NUM_THREADS": "1"], in: alone).checked("quench train")
        let adapter = "runs/\(name)/adapter/adapter_model.safetensors"
        #expect(try Data(contentsOf: ranked.appendingPathComponent(adapter)) == Data(contentsOf: alone.appendingPathComponent(adapter)),
                "2 ranks trained another adapter than one process")
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
        // mpirun's "MPI_ABORT was invoked on rank 1" banner is a help message relayed from the rank,
        // which Open MPI 4.1's mpirun loses about one time in four ("ORTE_ERROR_LOG: Data unpack would
        // read past end of buffer in file orte/util/show_help.c at line 501", open-mpi/ompi#8356). A
        // one-second abort delay makes Open MPI's abort itself print, on the rank's own standard error
        // as reliably as the rank's error line, "[host:pid] Delaying for 1 seconds before aborting".
        let ranked = try MPIRun.run(contexts, seconds: 60, environment: ["OMPI_MCA_opal_abort_delay": "1"])
        #expect(ranked.exited && ranked.status == 1, "mpirun ends with the code rank 1 gave MPI_Abort: \(ranked.output)")
        #expect(ranked.seconds < 30, "the job took \(ranked.seconds) s to end")
        #expect(ranked.output.contains("[rank 1/2] Error: ") && ranked.output.contains("missing.yaml"), "\(ranked.output)")
        let start = try #require(ranked.output.firstMatch(of: #/\[rank 1\/2\] pid (\d+) on /#), "no start line from rank 1: \(ranked.output)")
        let pid = try #require(Int32(start.1))
        #expect(ranked.output.contains(String(format: ":%05d] Delaying for 1 seconds before aborting", pid)),
                "rank 1 (pid \(pid)) did not end the job through MPI_Abort: \(ranked.output)")
        #expect(!FileManager.default.fileExists(atPath: runs.run("ranks").appendingPathComponent("adapter").path))
    }
}
