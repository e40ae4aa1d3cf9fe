import QuenchDistributed
import Testing

/// The thread ranks the data-parallel tests train with: each collective waits for every rank, hands
/// each the same result, and gives up on a rank that never comes.
@Suite(.timeLimit(.minutes(1))) struct ThreadRendezvousTests {
    @Test func everyRankGetsEveryRanksBytesInRankOrderRoundAfterRound() throws {
        let results = ThreadRendezvous(size: 3).run { rank in
            try (0..<50).map { round in try rank.gather([UInt8(rank.rank), UInt8(round)], Collective("test", step: round)) }
        }
        for result in results {
            #expect(try result.get() == (0..<50).map { round in (0..<3).map { [UInt8($0), UInt8(round)] } })
        }
    }

    @Test func aRankThatNeverArrivesMakesTheOthersTimeOut() {
        let rendezvous = ThreadRendezvous(size: 2, timeout: .milliseconds(200))
        #expect(throws: DistributedError.timedOut(operation: "test at step 1", rank: 0, seconds: 0)) {
            try ThreadRank(0, of: rendezvous).barrier(Collective("test", step: 1))
        }
    }
}
