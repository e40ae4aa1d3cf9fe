import Foundation
@testable import QuenchDistributed
import QuenchTestSupport
import Testing

/// Open MPI's collectives between two real ranks: mpirun starts this test bundle twice, and each
/// rank runs one test of `RankBodies` (which is skipped outside mpirun).
@Suite struct MPIGroupTests {
    @Test(.requiresPrograms(MPIRun.programs))
    func twoRanksSumGatherAndMeetAtABarrier() throws {
        let result = try Self.runRanks("collectivesAgreeAcrossRanks")
        #expect(result.succeeded, "\(result.output.suffix(3000))")
        #expect(Self.passes("collectivesAgreeAcrossRanks", in: result.output) == 2, "\(result.output.suffix(3000))")
    }

    @Test(.requiresPrograms(MPIRun.programs))
    func aCollectiveARankIsLateForTimesOutAtItsDeadline() throws {
        let result = try Self.runRanks("aLateRankMakesTheOtherTimeOut", environment: ["QUENCH_COLLECTIVE_TIMEOUT": "2"])
        #expect(result.succeeded, "\(result.output.suffix(3000))")
        #expect(Self.passes("aLateRankMakesTheOtherTimeOut", in: result.output) == 2, "\(result.output.suffix(3000))")
    }

    /// Runs the test `name` of `RankBodies` as two ranks of one mpirun job.
    static func runRanks(_ name: String, environment: [String: String] = [:]) throws -> MPIRun.Result {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let arguments = ["--testing-library", "swift-testing", "--filter", "RankBodies/\(name)"]
        return try MPIRun.run([MPIRun.Context(ranks: 2, program: bundle, arguments: arguments)], seconds: 120,
                              environment: environment)
    }

    /// How many ranks reported the test `name` passed.
    static func passes(_ name: String, in output: String) -> Int {
        output.components(separatedBy: "\(name)() passed").count - 1
    }
}

/// What each rank does in `MPIGroupTests`; only a process mpirun started runs these.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil,
                "runs only as a rank that MPIGroupTests starts with mpirun"))
struct RankBodies {
    /// Sums go in calls of at most 4 elements here, so 10 floats take three calls.
    @Test func collectivesAgreeAcrossRanks() throws {
        let environment = ProcessInfo.processInfo.environment
        let launch = try LaunchEnvironment.detect(environment)
        let group = try MPIGroup(library: MPILibrary.load(path: MPILibrary.defaultPath, launcher: launch.launcher.rawValue),
                                 launch: launch, timeout: CollectiveTimeout(environment: environment), largestCall: 4)
        defer { group.finish() }
        #expect(group.size == 2)
        let rank = group.rank
        // Rank r holds i·(r+1) + 0.5, so the sum is 3i + 1.
        var floats: [Float] = (0 ..< 10).map { (index: Int) -> Float in Float(index * (rank + 1)) + 0.5 }
        try floats.withUnsafeMutableBufferPointer { try group.sum($0, Collective("floats")) }
        let expected: [Float] = (0 ..< 10).map { (index: Int) -> Float in Float(3 * index + 1) }
        #expect(floats == expected)
        var doubles = [Double(rank) + 0.25, 1]
        try group.sum(&doubles, Collective("doubles"))
        #expect(doubles == [1.5, 2])
        #expect(try group.gather([UInt8(rank), 7, UInt8(10 + rank)], Collective("bytes")) == [[0, 7, 10], [1, 7, 11]])
        #expect(throws: DistributedError.ranksDisagree(what: "amounts of data (3, 2 bytes by rank)", operation: "uneven at step 4",
                                                       ranks: [1])) {
            try group.gather([UInt8](repeating: 1, count: 3 - rank), Collective("uneven", step: 4))
        }
        try group.barrier(Collective("end"))
    }

    /// Rank 1 starts its sum 6 s late; rank 0, with a 2 s deadline, times out, then still finishes by polling.
    @Test func aLateRankMakesTheOtherTimeOut() throws {
        let group = try ProcessGroups.join()
        defer { group.finish() }
        var values = [Float(group.rank + 1)]
        try values.withUnsafeMutableBufferPointer { buffer in
            if group.rank == 1 { usleep(6_000_000) }
            let started = ContinuousClock.now
            let pending = try group.startSum(buffer, Collective("late sum", step: 3))
            guard group.rank == 0 else { return try pending.wait() }
            #expect(throws: DistributedError.timedOut(operation: "late sum at step 3", rank: 0, seconds: 2)) { try pending.wait() }
            let waited = ContinuousClock.now - started
            #expect(waited >= .seconds(2) && waited < .seconds(5))
            while try !pending.poll() { sched_yield() }
        }
        #expect(values == [3])
    }
}
