import Testing
@testable import QuenchTrain

/// Each rank computes a contiguous, equal share of a step's micro-batches; a rank count that does not
/// divide `gradient_accumulation` is refused naming the key and what would work.
@Suite struct RankShareTests {
    @Test func sharesAreContiguousEqualAndCoverTheStepOnce() throws {
        let shares = try (0..<3).map { try RankShare(rank: $0, ranks: 3, accumulation: 6).local }
        #expect(shares == [0..<2, 2..<4, 4..<6])
        #expect(try RankShare(rank: 0, ranks: 1, accumulation: 4).local == 0..<4)
        #expect(try RankShare(rank: 1, ranks: 2, accumulation: 2).local == 1..<2)
    }

    @Test func aRankCountNotDividingTheAccumulationIsRefusedWithWhatWorks() throws {
        let error = try #require(throws: TrainingError.self) { try RankShare(rank: 0, ranks: 2, accumulation: 3) }
        guard case .invalidSetting(let key, let reason) = error else {
            Issue.record("expected invalidSetting, got \(error)")
            return
        }
        #expect(key == "gradient_accumulation")
        for phrase in ["2 ranks", "multiple of 2 (2 or 4)", "divides 3 (1, 3)"] {
            #expect(reason.contains(phrase), "\(reason)")
        }
        #expect(throws: TrainingError.self) { try RankShare(rank: 2, ranks: 2, accumulation: 4) }
        #expect(throws: TrainingError.self) { try RankShare(rank: 0, ranks: 4, accumulation: 2) }
    }
}
