import Foundation
import QuenchModel
import Testing
@testable import QuenchTrain
@testable import QuenchData

@Suite("Data sequences")
struct DataSequenceTests {
    typealias S = DataTestSupport
    static let ignore: Int32 = -100
    static let pad: Int32 = 9

    /// Examples whose ids are base..<(base + count), so an id's hundreds tell its example apart.
    static let examples = [S.example(5, base: 100), S.example(3, base: 200), S.example(10, base: 300)]

    @Test func packingLaysExamplesBackToBackWithTheirOwnPositionsAndSegments() throws {
        let set = try SequenceSet(examples: Self.examples, maxSeqLen: 8, policy: .pack, padID: Self.pad)
        #expect(set.rowCount == 3)
        let row0 = try #require(set.row(0))
        #expect(Array(row0.inputs) == [100, 101, 102, 103, 200, 201, 9, 9])
        #expect(Array(row0.targets) == [101, 102, 103, 104, 201, 202, -100, -100])
        #expect(Array(row0.positions) == [0, 1, 2, 3, 0, 1, 0, 1])
        #expect(Array(row0.segments) == [0, 0, 0, 0, 1, 1, 2, 2])
        #expect(row0.scored == 6)
        // The 10-token example does not fit what is left of row 0, and is longer than a row:
        // it is split into 8 + 1 pairs, the second piece continuing from token 308.
        let row1 = try #require(set.row(1))
        #expect(Array(row1.inputs) == Array(300...307))
        #expect(Array(row1.targets) == Array(301...308))
        #expect(Array(row1.positions) == Array(0...7))
        let row2 = try #require(set.row(2))
        #expect(Array(row2.inputs) == [308] + Array(repeating: 9, count: 7))
        #expect(Array(row2.targets) == [309] + Array(repeating: Self.ignore, count: 7))
        #expect(Array(row2.segments) == [0] + Array(repeating: 1, count: 7))
        #expect(set.statistics == .init(examples: 3, skippedExamples: 0, overlongExamples: 1, truncatedTokens: 0,
                                        scoredTokens: 15))
    }

    @Test func packingNeverPredictsAcrossExamples() throws {
        // Many small examples of varied lengths, packed into short rows.
        let examples = (0..<40).map { S.example(2 + $0 % 7, base: Int32(1000 * ($0 + 1))) }
        let set = try SequenceSet(examples: examples, maxSeqLen: 16, policy: .pack, padID: Self.pad)
        var pairs = 0
        for index in 0..<set.rowCount {
            let row = try #require(set.row(index))
            let inputs = Array(row.inputs), targets = Array(row.targets)
            let positions = Array(row.positions), segments = Array(row.segments)
            for t in 0..<16 {
                if t > 0, segments[t] != segments[t - 1] {
                    #expect(positions[t] == 0)  // positions restart with each example
                } else if t > 0 {
                    #expect(positions[t] == positions[t - 1] + 1)
                }
                guard targets[t] != Self.ignore else { continue }
                pairs += 1
                #expect(targets[t] == inputs[t] + 1)  // the next token of the same example
                #expect(targets[t] / 1000 == inputs[t] / 1000)
            }
        }
        // Every pair of every example appears exactly once.
        #expect(pairs == examples.reduce(0) { $0 + $1.ids.count - 1 })
        // No example's first token is ever a target: nothing predicts it from the previous example.
        let firsts = Set(examples.map { $0.ids[0] })
        let allTargets = (0..<set.rowCount).flatMap { set.row($0).map { Array($0.targets) } ?? [] }
        #expect(allTargets.allSatisfy { !firsts.contains($0) })
    }

    @Test func unscoredTokensBecomeIgnoredTargets() throws {
        let example = TokenizedExample(ids: [10, 11, 12, 13, 14], scored: [false, false, true, true, true])
        for policy in SequencePolicy.allCases {
            let set = try SequenceSet(examples: [example], maxSeqLen: 6, policy: policy, padID: 0)
            let row = try #require(set.row(0))
            #expect(Array(row.inputs) == [10, 11, 12, 13, 0, 0])
            #expect(Array(row.targets) == [-100, 12, 13, 14, -100, -100])
            #expect(row.scored == 3)
        }
    }

    @Test func truncationCutsEachExampleToOneRow() throws {
        let examples = Self.examples + [S.example(1, base: 400)]
        let set = try SequenceSet(examples: examples, maxSeqLen: 3, policy: .truncate, padID: Self.pad)
        #expect(set.rowCount == 3)
        let rows = try (0..<3).map { try #require(set.row($0)) }
        #expect(Array(rows[0].inputs) == [100, 101, 102] && Array(rows[0].targets) == [101, 102, 103])
        #expect(Array(rows[1].inputs) == [200, 201, 9] && Array(rows[1].targets) == [201, 202, -100])
        #expect(Array(rows[2].inputs) == [300, 301, 302] && Array(rows[2].targets) == [301, 302, 303])
        #expect(Array(rows[1].positions) == [0, 1, 2] && Array(rows[1].segments) == [0, 0, 0])
        #expect(set.statistics == .init(examples: 4, skippedExamples: 1, overlongExamples: 2, truncatedTokens: 7,
                                        scoredTokens: 8))
        // Truncated rows hold one example from position 0, so the batch leaves positions and segments nil.
        var iterator = try BatchIterator(sequences: set, batchSize: 2, seed: 1, shuffles: false)
        let batch = iterator.next()
        #expect(batch.tokens.positions == nil && batch.tokens.segments == nil)
        #expect(batch.tokens.inputs == [100, 101, 102, 200, 201, 9])
        #expect(batch.scoredTokens == 5)
    }

    @Test func rowsWithoutAScoredTargetAreLeftOut() throws {
        let promptOnly = TokenizedExample(ids: [10, 11, 12, 13, 14, 15], scored: [false, false, false, false, true, true])
        let scored = TokenizedExample(ids: [20, 21, 22], scored: [false, true, true])
        for policy in SequencePolicy.allCases {
            let set = try SequenceSet(examples: [promptOnly, scored], maxSeqLen: 3, policy: policy, padID: 0)
            #expect((0..<set.rowCount).allSatisfy { (set.row($0)?.scored ?? 0) > 0 }, "\(policy)")
            #expect(set.statistics.unscoredRows == 1, "\(policy)")
            var iterator = try BatchIterator(sequences: set, batchSize: 1, seed: 1, shuffles: false)
            for _ in 0..<set.rowCount { #expect(iterator.next().scoredTokens > 0, "\(policy)") }
        }
    }

    @Test func rejectsAnUnusableRowLength() {
        #expect(throws: DatasetError.invalidSetting(key: "max_seq_len", reason: "0 is not in 1...16777216")) {
            try SequenceSet(examples: Self.examples, maxSeqLen: 0, policy: .pack, padID: 0)
        }
    }
}
