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

    @Test(.requiresPrograms(MPIRun.programs))
    func aRankThatCannotJoinOnceMPIStartedEndsTheJobNamingItsRank() throws {
        let result = try Self.runRanks("rankOneIsMisnamedByItsLauncher")
        #expect(!result.succeeded)
        #expect(result.output.contains("rank 1 of 2 could not join: the launcher set OMPI_COMM_WORLD_SIZE=3: MPI says 2 ranks run together"),
                "\(result.output.suffix(3000))")
        // MPI_Abort ended rank 0 in its barrier at once: it never passed it, and MPI was not left unfinished.
        #expect(!result.output.contains("passed a barrier") && !result.output.contains("improperly"), "\(result.output.suffix(3000))")
        #expect(result.seconds < 30)
    }

    @Test(.requiresPrograms(MPIRun.programs))
    func aLoneRankThatCannotJoinFinishesMPIAndThrows() throws {
        let result = try Self.runRanks("aLoneRankIsMisnamedByItsLauncher", ranks: 1)
        #expect(result.succeeded, "\(result.output.suffix(3000))")
        #expect(Self.passes("aLoneRankIsMisnamedByItsLauncher", in: result.output) == 1, "\(result.output.suffix(3000))")
        #expect(!result.output.contains("improperly") && !result.output.contains("finalize"), "\(result.output.suffix(3000))")
    }

    @Test(.requiresPrograms(MPIRun.programs))
    func aRankWaitingLongForAnotherSleepsBetweenTests() throws {
        let result = try Self.runRanks("aRankWaitingForASlowOneSpendsLittleCPU")
        #expect(result.succeeded, "\(result.output.suffix(3000))")
        #expect(Self.passes("aRankWaitingForASlowOneSpendsLittleCPU", in: result.output) == 2, "\(result.output.suffix(3000))")
    }

    /// Runs the test `name` of `RankBodies` as `ranks` ranks of one mpirun job.
    static func runRanks(_ name: String, ranks: Int = 2, environment: [String: String] = [:]) throws -> MPIRun.Result {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let arguments = ["--testing-library", "swift-testing", "--filter", "RankBodies/\(name)"]
        return try MPIRun.run([MPIRun.Context(ranks: ranks, program: bundle, arguments: arguments)], seconds: 120,
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
                                 launch: launch, timeout: CollectiveTimeout(environment: environment), largestCall: 4,
                                 beforeAbort: RankBodies.unexpected)
        defer { group.finish() }
        #expect(group.size == 2)
        #expect(group.ranksOnThisNode == 2, "both ranks run on this machine")
        let algorithm = MPIGroup.allreduceAlgorithm
        #expect(getenv(algorithm.variable).map { String(cString: $0) } == algorithm.ring, "non-blocking sums take the ring")
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
        let group = try ProcessGroups.join(beforeAbort: RankBodies.unexpected)
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

    /// Rank 1 reads its launcher's size as 3: MPI started with 2 ranks, so it reports and ends the job
    /// while rank 0 waits for it.
    @Test func rankOneIsMisnamedByItsLauncher() throws {
        var environment = ProcessInfo.processInfo.environment
        if environment["OMPI_COMM_WORLD_RANK"] == "1" { environment["OMPI_COMM_WORLD_SIZE"] = "3" }
        let group = try ProcessGroups.join(environment: environment) { error, rank, size in
            FileHandle.standardError.write(Data("rank \(rank) of \(size.map(String.init) ?? "?") could not join: \(error)\n".utf8))
        }
        defer { group.finish() }
        try group.barrier(Collective("a barrier rank 1 never reaches"))
        Issue.record("rank \(group.rank) passed a barrier rank 1 never reached")
    }

    /// The only rank reads its launcher's size as 2: nobody waits for it, so MPI is finalized and the error thrown.
    @Test func aLoneRankIsMisnamedByItsLauncher() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["OMPI_COMM_WORLD_SIZE"] = "2"
        #expect(throws: DistributedError.inconsistentLaunch(variable: "OMPI_COMM_WORLD_SIZE", value: "2",
                                                            reason: "MPI says 1 ranks run together")) {
            try ProcessGroups.join(environment: environment, beforeAbort: RankBodies.unexpected)
        }
    }

    /// Rank 0 arrives at a barrier 8 s late; rank 1 tests without sleeping for the first second only.
    @Test func aRankWaitingForASlowOneSpendsLittleCPU() throws {
        let group = try ProcessGroups.join(beforeAbort: RankBodies.unexpected)
        defer { group.finish() }
        if group.rank == 0 { usleep(8_000_000) }
        let before = Self.threadCPUSeconds()
        try group.barrier(Collective("rank 0 late"))
        let spent = Self.threadCPUSeconds() - before
        if group.rank == 1 { #expect(spent < 2, "rank 1 spent \(spent) s of CPU waiting 8 s for rank 0") }
    }

    /// What a rank expected to join reports if it cannot (then it ends the job).
    static func unexpected(_ error: DistributedError, rank: Int, size: Int?) {
        FileHandle.standardError.write(Data("rank \(rank) could not join: \(error)\n".utf8))
    }

    /// The CPU time this thread has used, in seconds.
    static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
