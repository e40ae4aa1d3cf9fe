import Foundation
import Testing
import QuenchTestSupport

/// `quench bench train` under mpirun: the ranks share the batch's rows, sum their gradients as
/// training does, and rank 0 alone reports the whole batch's figure.
@Suite("quench bench train as mpirun ranks", .serialized, .timeLimit(.minutes(3)), .requiresPrograms(MPIRun.programs))
struct BenchTrainRanksTests {
    @Test("two ranks measure one batch together and rank 0 alone reports it, naming the ranks")
    func twoRanksReportOnce() throws {
        let runs = try DistributedRun("bench-ranks")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        for method in ["lora", "full"] {
            let bench = MPIRun.Context(ranks: 2, program: QuenchBinary.url, arguments: [
                "bench", "train", "--model", runs.model.path, "--method", method, "--batch", "2", "--time", "8",
                "--steps", "1", "--json",
            ])
            let result = try MPIRun.run([bench], seconds: 80) // both runs within the 3-minute limit
            try #require(result.succeeded, "\(result.output)")
            #expect(result.output.components(separatedBy: "\"tokensPerSecond\"").count - 1 == 1, "one report: \(result.output)")
            #expect(result.output.contains("\"ranks\" : 2"), "\(result.output)")
        }
    }

    @Test("a batch the ranks cannot share evenly is refused by name")
    func unevenBatchIsRefused() throws {
        let runs = try DistributedRun("bench-uneven")
        defer { try? FileManager.default.removeItem(at: runs.folder) }
        let bench = MPIRun.Context(ranks: 2, program: QuenchBinary.url, arguments: [
            "bench", "train", "--model", runs.model.path, "--method", "lora", "--batch", "3", "--time", "8", "--steps", "1",
        ])
        let result = try MPIRun.run([bench], seconds: 60)
        #expect(!result.succeeded)
        #expect(result.output.contains("--batch 3 must be a multiple of the 2 ranks"), "\(result.output)")
    }
}
