import Foundation
import QuenchDistributed
import QuenchModel
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// Ranks whose trained weights parted are stopped by the weights check of the next checkpoint, which
/// names the rank, before that checkpoint is saved.
@Suite(.timeLimit(.minutes(3))) struct RankDriftTests {
    /// A thread rank whose gradient sums come out one larger in their first float on rank `drifting`:
    /// a rank whose weights silently part from the others' from its first step on.
    final class DriftingRank: ProcessGroup {
        let inner: ThreadRank
        let drifting: Int
        var rank: Int { inner.rank }
        var size: Int { inner.size }

        init(_ inner: ThreadRank, drifting: Int) {
            self.inner = inner
            self.drifting = drifting
        }

        func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
            let pending = try inner.startSum(values, operation)
            try pending.wait()
            if rank == drifting, !values.isEmpty { values[0] += 1 }
            return pending
        }

        func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) { try inner.sum(&values, operation) }

        func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] {
            try inner.gather(bytes, operation)
        }

        func barrier(_ operation: Collective) throws(DistributedError) { try inner.barrier(operation) }

        func abort(code: Int32) -> Never { inner.abort(code: code) }

        func finish() { inner.finish() }
    }

    @Test func ranksWhoseTrainedBlocksDifferInOneFloatAreNamedAndEqualBlocksPass() throws {
        let config = TrainingConfig(method: .full, data: .init(train: "train.jsonl"), batchSize: 2)
        for drifted in [false, true] {
            let results = ThreadRendezvous(size: 2).run { rank in
                let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
                let state = try TrainableState(model: model, config: config)
                if drifted, rank.rank == 1 { state.weights.flat.storage[7] = state.weights.flat.storage[7].nextUp }
                try RankAgreement(group: rank).check(RankAgreement.weights(state), Collective("weights check", step: 2))
            }
            for result in results {
                if drifted {
                    #expect(throws: DistributedError.ranksDisagree(what: "weights", operation: "weights check at step 2", ranks: [1])) {
                        try result.get()
                    }
                } else {
                    #expect(throws: Never.self) { try result.get() }
                }
            }
        }
    }

    @Test(arguments: [TrainingConfig.Method.lora, .full])
    func aRankWhoseWeightsDriftedStopsEveryRankAtTheNextCheckpointBeforeItIsSaved(_ method: TrainingConfig.Method) throws {
        let folder = try TemporaryDirectory.create("data-parallel-drift")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try DataParallelTrainerTests.configuration(method, in: folder)
        let output = folder.appendingPathComponent("ranks")
        let results = DataParallelTrainerTests.runRanks(DataParallelTrainerTests.ranks(2, of: config, output: output)) {
            DriftingRank($0, drifting: 1)
        }
        let expected = DistributedError.ranksDisagree(what: "weights", operation: "weights check at step 2", ranks: [1])
        for result in results {
            guard case .failure(let failure) = result else {
                Issue.record("a rank finished training although rank 1's weights drifted")
                continue
            }
            #expect(failure.message.contains("\(expected)"), "\(failure.message)")
        }
        let checkpoints = output.appendingPathComponent("checkpoints")
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpoints.path).isEmpty, "no checkpoint was saved")
        #expect(!FileManager.default.fileExists(atPath: output.path + "-rank1"), "rank 1 writes nothing")
    }
}
