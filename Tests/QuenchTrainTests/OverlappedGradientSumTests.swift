import Foundation
import QuenchModel
import QuenchTensor
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// Gradient buckets sent while backward is still running: backward reports each range of the
/// gradient block once it is final, from the top down; the reducer sends a bucket as soon as all of
/// it is final; with several micro-batches the earlier ones are added in first; and the result is
/// the same bits as summing after backward.
@Suite struct OverlappedGradientSumTests {
    /// The fixture models, whose embeddings end backward differently.
    enum Fixture: String, CaseIterable, CustomStringConvertible {
        /// Llama with its own head: the head is final right after the loss.
        case llama
        /// The same with the head tied to the embedding, which takes gradient at both ends of backward.
        case tiedLlama
        /// GPT-2: tied, with learned positions below the layers.
        case gpt2

        var description: String { rawValue }

        /// The model and its reference batch (2 rows of 16 tokens).
        func load() throws -> (CausalLM, TokenBatch) {
            let directory = SharedFixtures.url(self == .gpt2 ? "tiny-gpt2" : "tiny-llama")
            var model = try ModelLoader.load(huggingFaceDirectory: directory)
            if self == .tiedLlama {
                var config = model.config
                config.tiedEmbeddings = true
                let tied = try CausalLM(config: config)
                for spec in tied.specs { try tied.parameters.tensor(spec.name).copy(from: model.parameter(spec.name)) }
                model = tied
            }
            return (model, try TokenBatch.reference(of: directory))
        }
    }

    /// The gradient of `batch` by a backward pass without a hook.
    static func plainGradient(_ model: CausalLM, _ batch: TokenBatch) throws -> [Float] {
        let gradients = try ParameterGradients(model: model)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true)
        try model.forward(batch, workspace: workspace)
        try model.backward(batch, workspace: workspace, gradients: gradients)
        return gradients.block.flat.toArray()
    }

    @Test(arguments: Fixture.allCases)
    func backwardReportsEveryRangeOnceFromTheTopDownWhenItIsFinal(_ fixture: Fixture) throws {
        let (model, batch) = try fixture.load()
        let gradients = try ParameterGradients(model: model)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true)
        try model.forward(batch, workspace: workspace)
        var reports: [(range: Range<Int>, values: [Float])] = []
        try model.backward(batch, workspace: workspace, gradients: gradients) { range in
            reports.append((range, Array(gradients.block.flat.storage[range])))
        }
        let flat = gradients.block.flat.toArray()
        #expect(flat == (try Self.plainGradient(model, batch)), "the hook changes nothing")
        #expect(reports.count == model.config.layers + 2, "final norm and head, each layer, then the embedding")
        #expect(reports.first?.range.upperBound == flat.count && reports.last?.range.lowerBound == 0)
        #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.range.lowerBound == $1.range.upperBound })
        for report in reports {
            #expect(report.values == Array(flat[report.range]), "\(report.range) changed after backward reported it final")
        }
        let embed = try #require(gradients.block.entries.first { $0.name == "embed" })
        #expect(try #require(reports.last).range.upperBound >= embed.offset + embed.count, "the embedding comes last")
        let layer0 = try #require(gradients.block.entries.first { $0.name.hasPrefix("layers.0.") })
        #expect(reports.dropLast().allSatisfy { $0.range.lowerBound >= layer0.offset })
        if let head = gradients.block.entries.first(where: { $0.name == "head" }) {
            #expect(try #require(reports.first).range.contains(head.offset), "an untied head is final after the loss")
        }
    }

    @Test(arguments: Fixture.allCases)
    func bucketsAreSentWhileBackwardRunsAndEveryFloatIsSummedOnce(_ fixture: Fixture) throws {
        let (model, batch) = try fixture.load()
        let plain = try Self.plainGradient(model, batch)
        let gradients = try ParameterGradients(model: model)
        let workspace = try Workspace(config: model.config, batch: batch.batch, time: batch.time, training: true)
        let group = SimulatedPeerGroup(size: 2, block: gradients.block)
        let reducer = GradientReducer(gradients: gradients.block, group: group, bucketFloats: 1_000)
        let hook = try #require(reducer.backwardHook(for: gradients, step: 1))
        try model.forward(batch, workspace: workspace)
        var sentAfterReport: [Int] = []
        try model.backward(batch, workspace: workspace, gradients: gradients) { range in
            try hook(range)
            sentAfterReport.append(group.sums.count)
        }
        let beforeLastReport = try #require(sentAfterReport.dropLast().last)
        #expect(beforeLastReport > 0, "buckets were sent before backward reached the embedding")
        #expect(group.polls > 0, "the sums in flight are moved on between layers")
        let embedBucket = try #require(group.sums.firstIndex { $0.contains(0) })
        #expect(embedBucket >= beforeLastReport, "the embedding's bucket waits for the end of backward")
        try reducer.reduce(step: 1)
        #expect(group.sums.count == reducer.buckets.count && Set(group.sums) == Set(reducer.buckets))
        #expect(gradients.block.flat.toArray() == plain.enumerated().map { $1 + Float($0 + 1) }, "each float summed once")
    }

    @Test(arguments: [Fixture.llama, .tiedLlama])
    func theLastMicroBatchAddsTheEarlierOnesBeforeItsBucketsAreSent(_ fixture: Fixture) throws {
        let (model, batch) = try fixture.load()
        let time = batch.time
        let targets = try #require(batch.targets)
        let micro = try batch.microBatches(time: time)
        let scale = 1 / Float(CrossEntropy.scoredCount(targets))
        /// The step's gradient summed with a simulated peer, buckets sent during backward or after it.
        func step(overlapping: Bool) throws -> (sum: [Float], sentByMicroBatch: [Int]) {
            let gradients = try ParameterGradients(model: model)
            let stepGradients = try StepGradients(gradients: gradients.block, microBatches: micro.count)
            let group = SimulatedPeerGroup(size: 2, block: gradients.block)
            let reducer = GradientReducer(gradients: gradients.block, group: group, bucketFloats: 1_000)
            let workspace = try Workspace(config: model.config, batch: 1, time: time, training: true)
            var sent: [Int] = []
            for (index, part) in micro.enumerated() {
                try model.forward(part, workspace: workspace)
                try stepGradients.accumulate(index, reporting: overlapping ? reducer.backwardHook(for: gradients, step: 1) : nil) {
                    try model.backward(part, workspace: workspace, gradients: gradients, lossScale: scale, finished: $0)
                }
                sent.append(group.sums.count)
            }
            try reducer.reduce(step: 1)
            return (gradients.block.flat.toArray(), sent)
        }
        let overlapped = try step(overlapping: true), after = try step(overlapping: false)
        #expect(after.sentByMicroBatch == [0, 0])
        #expect(overlapped.sentByMicroBatch.first == 0 && (overlapped.sentByMicroBatch.last ?? 0) > 1,
                "only the last micro-batch sends, while its backward runs")
        #expect(overlapped.sum == after.sum, "bit for bit the sum sent after backward")
    }

    @Test(arguments: [2, 4])
    func ranksSendingBucketsDuringBackwardTrainToTheBitsOfRanksSendingAfter(_ accumulation: Int) throws {
        let folder = try TemporaryDirectory.create("overlapped-sum")
        defer { try? FileManager.default.removeItem(at: folder) }
        var config = try DataParallelTrainerTests.configuration(.full, in: folder)
        config.gradientAccumulation = accumulation
        let after = folder.appendingPathComponent("after-backward")
        let during = folder.appendingPathComponent("during-backward")
        for (output, bucketFloats) in [(after, GradientReducer.defaultBucketFloats), (during, 1_000)] {
            let results = DataParallelTrainerTests.runRanks(DataParallelTrainerTests.ranks(2, of: config, output: output),
                                                            bucketFloats: bucketFloats)
            _ = try results.map { try $0.get() }
        }
        #expect(try DataParallelTrainerTests.written(during, .full) == (try DataParallelTrainerTests.written(after, .full)))
        #expect(try DataParallelTrainerTests.metrics(during) == (try DataParallelTrainerTests.metrics(after)))
    }
}
