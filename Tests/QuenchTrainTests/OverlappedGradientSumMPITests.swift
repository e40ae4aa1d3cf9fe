import Foundation
import QuenchDistributed
import QuenchModel
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// The gradient sum overlapping backward over Open MPI: mpirun starts this test bundle as two ranks,
/// which train tiny-llama fully twice, summing its gradients in one bucket after backward and in
/// buckets of 1,000 floats sent while backward runs; both runs must write the same bits.
@Suite struct OverlappedGradientSumMPITests {
    /// Where the ranks find the configuration and write their runs.
    static let folderVariable = "QUENCH_TEST_OVERLAP_FOLDER"

    @Test(.requiresPrograms(MPIRun.programs), .timeLimit(.minutes(3)), arguments: [2, 4])
    func twoRanksSendingBucketsDuringBackwardWriteTheBitsOfRanksSendingAfter(_ accumulation: Int) throws {
        let folder = try TemporaryDirectory.create("overlapped-mpi")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = try DataParallelTrainerTests.configuration(.full, in: folder)
        config.gradientAccumulation = accumulation
        try JSONEncoder().encode(config).write(to: folder.appendingPathComponent("config.json"))
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let arguments = ["--testing-library", "swift-testing", "--filter", "OverlappedRankBody/trainAfterAndDuringBackward"]
        let result = try MPIRun.run([MPIRun.Context(ranks: 2, program: bundle, arguments: arguments)], seconds: 150,
                                    environment: [Self.folderVariable: folder.path])
        #expect(result.succeeded, "\(result.output.suffix(3000))")
        #expect(result.output.components(separatedBy: "trainAfterAndDuringBackward() passed").count - 1 == 2,
                "\(result.output.suffix(3000))")
        let (after, during) = (OverlappedRankBody.output("after", in: folder), OverlappedRankBody.output("during", in: folder))
        #expect(try DataParallelTrainerTests.written(during, .full) == (try DataParallelTrainerTests.written(after, .full)))
        #expect(try DataParallelTrainerTests.metrics(during) == (try DataParallelTrainerTests.metrics(after)))
    }
}

/// What each rank does in `OverlappedGradientSumMPITests`; only a process mpirun started for it runs this.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
                    && ProcessInfo.processInfo.environment[OverlappedGradientSumMPITests.folderVariable] != nil,
                "runs only as a rank that OverlappedGradientSumMPITests starts with mpirun"))
struct OverlappedRankBody {
    /// Rank 0's output folder of the run `name`.
    static func output(_ name: String, in folder: URL) -> URL { folder.appendingPathComponent(name) }

    @Test func trainAfterAndDuringBackward() throws {
        let folder = URL(fileURLWithPath: ProcessInfo.processInfo.environment[OverlappedGradientSumMPITests.folderVariable] ?? "")
        var config = try JSONDecoder().decode(TrainingConfig.self, from: Data(contentsOf: folder.appendingPathComponent("config.json")))
        let group = try ProcessGroups.join { error, rank, _ in Issue.record("rank \(rank) could not join: \(error)") }
        defer { group.finish() }
        for (name, bucketFloats) in [("after", GradientReducer.defaultBucketFloats), ("during", 1_000)] {
            let output = Self.output(name, in: folder)
            config.output = group.rank == 0 ? output.path : output.path + "-rank\(group.rank)"
            let trainer = try Trainer(config: config, bundle: try ModelBundle.open(URL(fileURLWithPath: config.model ?? "")),
                                      quenchVersion: "test", group: group, bucketFloats: bucketFloats)
            _ = try trainer.run()
        }
    }
}
