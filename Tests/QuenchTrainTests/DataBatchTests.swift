import Foundation
import QuenchModel
import QuenchTensor
import Testing
@testable import QuenchTrain
@testable import QuenchData
@testable import QuenchRandom
import QuenchTestSupport

@Suite("Data batches")
struct DataBatchTests {
    typealias S = DataTestSupport

    /// Ten one-row examples (truncate, T = 4) whose first input tells the row apart.
    static func rows(_ count: Int = 10) throws -> SequenceSet {
        let examples = (0..<count).map { S.example(5, base: Int32(100 * ($0 + 1))) }
        return try SequenceSet(examples: examples, maxSeqLen: 4, policy: .truncate, padID: 0)
    }

    @Test func everyRowOncePerEpochWithTheLastBatchPadded() throws {
        var iterator = try BatchIterator(sequences: Self.rows(), batchSize: 3, seed: 7)
        #expect(iterator.batchesPerEpoch == 4)
        for epoch in 0..<3 {
            var seen: [Int] = []
            for index in 0..<4 {
                let batch = iterator.next()
                #expect(batch.epoch == epoch)
                #expect(batch.tokens.batch == 3 && batch.tokens.time == 4 && batch.tokens.inputs.count == 12)
                seen += batch.rows
                #expect(batch.scoredTokens == 4 * batch.rows.count)
                if index == 3 {  // one real row, two padding rows with nothing scored
                    #expect(batch.rows.count == 1)
                    #expect(batch.tokens.targets?.suffix(8).allSatisfy { $0 == -100 } == true)
                }
            }
            #expect(seen.sorted() == Array(0..<10))
            #expect(iterator.cursor == DataCursor(epoch: epoch, position: 10))
        }
    }

    @Test func shufflesAreFixedBySeedAndDifferAcrossSeedsAndEpochs() throws {
        let set = try Self.rows(50)
        let a = try BatchIterator(sequences: set, batchSize: 4, seed: 1)
        let b = try BatchIterator(sequences: set, batchSize: 4, seed: 1)
        let c = try BatchIterator(sequences: set, batchSize: 4, seed: 2)
        #expect(a.rowOrder(epoch: 0) == b.rowOrder(epoch: 0))
        #expect(a.rowOrder(epoch: 0) != c.rowOrder(epoch: 0))
        #expect(a.rowOrder(epoch: 0) != a.rowOrder(epoch: 1))
        #expect(a.rowOrder(epoch: 0) != Array(0..<50))
        #expect(a.rowOrder(epoch: 3).sorted() == Array(0..<50))
        let ordered = try BatchIterator(sequences: set, batchSize: 4, seed: 1, shuffles: false)
        #expect(ordered.rowOrder(epoch: 5) == Array(0..<50))
    }

    @Test func orderIsPinnedSoCheckpointsResumeAcrossVersions() throws {
        // SplitMix64's published first outputs for seed 0 (0xE220A8397B1DCDAF, ...).
        var generator = SplitMix64(seed: 0)
        #expect((0..<3).map { _ in generator.next() } == [16294208416658607535, 7960286522194355700, 487617019471545679])
        // Permutations from an independent Python rendering of the same Fisher–Yates.
        let iterator = try BatchIterator(sequences: Self.rows(), batchSize: 3, seed: 42)
        #expect(iterator.rowOrder(epoch: 0) == [0, 2, 5, 4, 6, 9, 1, 3, 7, 8])
        #expect(iterator.rowOrder(epoch: 1) == [7, 9, 8, 6, 5, 2, 0, 1, 4, 3])
    }

    @Test func aResumedIteratorServesTheSameBatches() throws {
        let set = try Self.rows()
        var uninterrupted = try BatchIterator(sequences: set, batchSize: 3, seed: 42)
        for _ in 0..<5 { _ = uninterrupted.next() }  // into the second epoch
        let saved = try JSONEncoder().encode(uninterrupted.cursor)
        let cursor = try JSONDecoder().decode(DataCursor.self, from: saved)
        #expect(cursor == DataCursor(epoch: 1, position: 3))
        var resumed = try BatchIterator(sequences: set, batchSize: 3, seed: 42, cursor: cursor)
        for _ in 0..<9 { #expect(resumed.next() == uninterrupted.next()) }
        #expect(resumed.cursor == uninterrupted.cursor)
    }

    @Test func rejectsCursorsAndSettingsThatDoNotFit() throws {
        let set = try Self.rows()
        #expect(throws: DatasetError.invalidCursor(epoch: 0, position: 11, reason: "an epoch here has 10 rows")) {
            try BatchIterator(sequences: set, batchSize: 3, seed: 0, cursor: DataCursor(epoch: 0, position: 11))
        }
        #expect(throws: DatasetError.invalidSetting(key: "batch_size", reason: "0 is not at least 1")) {
            try BatchIterator(sequences: set, batchSize: 0, seed: 0)
        }
        let empty = try SequenceSet(examples: [S.example(1)], maxSeqLen: 4, policy: .pack, padID: 0)
        #expect(throws: DatasetError.self) { try BatchIterator(sequences: empty, batchSize: 1, seed: 0) }
    }

    @Test func sequentialPassCoversEveryRowInOrder() throws {
        var rows: [Int] = []
        var scored = 0
        try Self.rows().forEachBatch(batchSize: 4) { batch in
            rows += batch.rows
            scored += batch.scoredTokens
        }
        #expect(rows == Array(0..<10) && scored == 40)
    }

    @Test func validationSplitIsSeededAndDisjoint() throws {
        let examples = (0..<20).map { S.example(3, base: Int32(10 * $0)) }
        let fingerprint = DatasetFingerprint(file: "x.jsonl", sha256: "", records: 20, format: .text)
        let dataset = TokenizedDataset(examples: examples, fingerprint: fingerprint)
        let first = try dataset.split(validationFraction: 0.25, seed: 3)
        let again = try dataset.split(validationFraction: 0.25, seed: 3)
        let other = try dataset.split(validationFraction: 0.25, seed: 4)
        #expect(first.training == again.training && first.validation == again.validation)
        #expect(first.validation != other.validation)
        #expect(first.validation.count == 5 && first.training.count == 15)
        #expect(Set(first.training.map(\.ids) + first.validation.map(\.ids)).count == 20)
        #expect(try dataset.split(validationFraction: 0.01, seed: 3).validation.count == 1)
        #expect(throws: DatasetError.invalidSetting(key: "validation_split", reason: "1.0 is not in [0, 1)")) {
            try dataset.split(validationFraction: 1, seed: 3)
        }
    }

    @Test func preparesTrainingAndValidationFromFiles() throws {
        let directory = try TemporaryDirectory.create("data")
        let train = directory.appendingPathComponent("train.jsonl")
        let valid = directory.appendingPathComponent("valid.jsonl")
        let records = (0..<10).map { #"{"prompt": "q\#($0)", "completion": " a\#($0)"}"# }
        try Data(records.joined(separator: "\n").utf8).write(to: train)
        try Data(records.prefix(2).joined(separator: "\n").utf8).write(to: valid)
        let tokenizer = try ExampleTokenizer(tokenizer: S.tokenizer())
        let split = try TrainingData.prepare(
            DataOptions(trainingFile: train, validationSplit: 0.2, maxSeqLen: 16, policy: .pack, seed: 1),
            tokenizer: tokenizer)
        // Each record: "qN" (2 tokens, unscored) + " aN" + EOS (4 scored) = 5 pairs, 4 scored.
        #expect(split.training.statistics.examples == 8 && split.validation?.statistics.examples == 2)
        #expect(split.training.statistics.scoredTokens == 32)
        #expect(split.trainingFingerprint.records == 10 && split.trainingFingerprint.format == .promptCompletion)
        let separate = try TrainingData.prepare(
            DataOptions(trainingFile: train, validationFile: valid, maxSeqLen: 16, policy: .truncate),
            tokenizer: tokenizer)
        #expect(separate.training.rowCount == 10 && separate.validation?.rowCount == 2)
        #expect(separate.validationFingerprint?.records == 2)
    }

    @Test func refusesDataWithoutATokenToLearnFrom() throws {
        let directory = try TemporaryDirectory.create("data")
        let train = directory.appendingPathComponent("cut.jsonl")
        let valid = directory.appendingPathComponent("valid.jsonl")
        // Every completion starts after position 4, so truncation at 4 leaves nothing scored.
        try Data((0..<4).map { #"{"prompt": "a long prompt \#($0)", "completion": " a"}"# }.joined(separator: "\n").utf8)
            .write(to: train)
        try Data(#"{"prompt": "q", "completion": " a"}"#.utf8).write(to: valid)
        let tokenizer = try ExampleTokenizer(tokenizer: S.tokenizer())
        #expect(throws: DatasetError.noScoredTokens(set: "cut.jsonl", maxSeqLen: 4)) {
            try TrainingData.prepare(DataOptions(trainingFile: train, maxSeqLen: 4, policy: .truncate), tokenizer: tokenizer)
        }
        #expect(throws: DatasetError.noScoredTokens(set: "cut.jsonl", maxSeqLen: 4)) {
            try TrainingData.prepare(DataOptions(trainingFile: valid, validationFile: train, maxSeqLen: 4, policy: .truncate),
                                     tokenizer: tokenizer)
        }
        #expect(throws: Never.self) {
            try TrainingData.prepare(DataOptions(trainingFile: valid, maxSeqLen: 4, policy: .truncate), tokenizer: tokenizer)
        }
    }
}
