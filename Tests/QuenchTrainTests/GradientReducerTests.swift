import QuenchDistributed
import QuenchModel
import QuenchTensor
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// A stand-in for rank 0 of two: each started sum adds what the other rank would have sent (1 + the
/// float's index) and records the range it covered; polls of the started sums are counted.
final class SimulatedPeerGroup: ProcessGroup {
    let size: Int
    var rank: Int { 0 }
    private(set) var sums: [Range<Int>] = []
    private(set) var polls = 0
    private let base: UnsafeMutablePointer<Float>

    init(size: Int, block: TensorBlock) {
        self.size = size
        base = block.flat.pointer
    }

    func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
        let start = values.baseAddress.map { $0 - base } ?? 0
        sums.append(start..<(start + values.count))
        for i in values.indices { values[i] += Float(start + i + 1) }
        return Done { [unowned self] in polls += 1 }
    }

    func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) {}
    func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] { Array(repeating: bytes, count: size) }
    func barrier(_ operation: Collective) throws(DistributedError) {}
    func abort(code: Int32) -> Never { fatalError("the simulated group was aborted with \(code)") }
    func finish() {}

    final class Done: PendingCollective {
        let polled: () -> Void

        init(polled: @escaping () -> Void) { self.polled = polled }

        func poll() throws(DistributedError) -> Bool {
            polled()
            return true
        }

        func wait() throws(DistributedError) {}
    }
}

@Suite struct GradientReducerTests {
    @Test func bucketsCoverTheBlockOnceAndEveryFloatIsSummed() throws {
        let block = try TensorBlock(layout: [("a", [1_000]), ("b", [37, 11])])
        let group = SimulatedPeerGroup(size: 2, block: block)
        let reducer = GradientReducer(gradients: block, group: group, bucketFloats: 300)
        try reducer.reduce(step: 1)
        #expect(group.sums == reducer.buckets)
        #expect(group.sums.first?.lowerBound == 0 && group.sums.last?.upperBound == block.flat.count)
        #expect(zip(group.sums, group.sums.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        #expect(group.sums.allSatisfy { $0.count <= 300 } && group.sums.count == (block.flat.count + 299) / 300)
        #expect(block.flat.toArray() == (0..<block.flat.count).map { Float($0 + 1) }, "each float summed once")
    }

    @Test func aLoRASizedBlockGoesInOneCall() throws {
        let block = try TensorBlock(layout: [("lora_a", [8, 576]), ("lora_b", [576, 8])])
        let group = SimulatedPeerGroup(size: 2, block: block)
        try GradientReducer(gradients: block, group: group).reduce(step: 3)
        #expect(group.sums == [0..<block.flat.count])
    }

    @Test func aGroupOfOneMakesNoCall() throws {
        let block = try TensorBlock(layout: [("w", [64])])
        let group = SimulatedPeerGroup(size: 1, block: block)
        try GradientReducer(gradients: block, group: group).reduce(step: 1)
        #expect(group.sums.isEmpty && block.flat.toArray().allSatisfy { $0 == 0 })
    }

    @Test func rangesReportedTwiceOrLeftOutAreRefusedAndTheNextStepStartsClean() throws {
        let block = try TensorBlock(layout: [("w", [1_200])])
        let group = SimulatedPeerGroup(size: 2, block: block)
        let reducer = GradientReducer(gradients: block, group: group, bucketFloats: 300)
        try reducer.finished(700..<1_200, step: 1)
        #expect(group.sums == [900..<1_200], "only the bucket wholly reported is sent")
        #expect(throws: TensorError.self) { try reducer.finished(900..<1_200, step: 1) }
        #expect(throws: TensorError.self) { try reducer.finished(0..<1_201, step: 1) }
        #expect(throws: TensorError.self, "buckets 0 ..< 600 were never reported") { try reducer.reduce(step: 1) }
        block.flat.zero()
        try reducer.reduce(step: 2)
        #expect(group.sums.dropFirst() == reducer.buckets[...])
        #expect(block.flat.toArray() == (0..<1_200).map { Float($0 + 1) })
    }

    @Test func aHookHandedOutThatBackwardNeverCalledIsRefusedBeforeAnythingIsSent() throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let gradients = try ParameterGradients(model: model)
        let group = SimulatedPeerGroup(size: 2, block: gradients.block)
        let reducer = GradientReducer(gradients: gradients.block, group: group, bucketFloats: 1_000)
        #expect(reducer.backwardHook(for: gradients, step: 1) != nil)
        // The earlier micro-batches are added range by range as backward reports them: none reported, none added.
        #expect(throws: TensorError.self, "a hook was handed out and nothing was reported") { try reducer.reduce(step: 1) }
        #expect(group.sums.isEmpty, "nothing is sent")
        try reducer.reduce(step: 2)
        #expect(group.sums == reducer.buckets, "a step without a hook sends every bucket after backward")
    }

    @Test func onlySeveralRanksSummingSeveralBucketsOfTheModelsOwnGradientsOverlapBackward() throws {
        let model = try ModelLoader.load(huggingFaceDirectory: SharedFixtures.url("tiny-llama"))
        let gradients = try ParameterGradients(model: model)
        let other = try ParameterGradients(model: model)
        let small = GradientReducer(gradients: gradients.block, group: SimulatedPeerGroup(size: 2, block: gradients.block),
                                    bucketFloats: 1_000)
        #expect(small.backwardHook(for: gradients, step: 1) != nil)
        #expect(small.backwardHook(for: other, step: 1) == nil, "another block's ranges are not this one's")
        let whole = GradientReducer(gradients: gradients.block, group: SimulatedPeerGroup(size: 2, block: gradients.block))
        #expect(whole.buckets.count == 1 && whole.backwardHook(for: gradients, step: 1) == nil)
        let alone = GradientReducer(gradients: gradients.block, group: SoloGroup(), bucketFloats: 1_000)
        #expect(alone.backwardHook(for: gradients, step: 1) == nil)
    }
}
