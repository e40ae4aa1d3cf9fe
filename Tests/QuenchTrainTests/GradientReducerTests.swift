import QuenchDistributed
import QuenchTensor
import Testing
@testable import QuenchTrain

/// A stand-in for rank 0 of two: each started sum adds what the other rank would have sent (1 + the
/// float's index) and records the range it covered.
final class SimulatedPeerGroup: ProcessGroup {
    let size: Int
    var rank: Int { 0 }
    private(set) var sums: [Range<Int>] = []
    private let base: UnsafeMutablePointer<Float>

    init(size: Int, block: TensorBlock) {
        self.size = size
        base = block.flat.pointer
    }

    func startSum(_ values: UnsafeMutableBufferPointer<Float>, _ operation: Collective) throws(DistributedError) -> any PendingCollective {
        let start = values.baseAddress.map { $0 - base } ?? 0
        sums.append(start..<(start + values.count))
        for i in values.indices { values[i] += Float(start + i + 1) }
        return Done()
    }

    func sum(_ values: inout [Double], _ operation: Collective) throws(DistributedError) {}
    func gather(_ bytes: [UInt8], _ operation: Collective) throws(DistributedError) -> [[UInt8]] { Array(repeating: bytes, count: size) }
    func barrier(_ operation: Collective) throws(DistributedError) {}
    func abort(code: Int32) -> Never { fatalError("the simulated group was aborted with \(code)") }
    func finish() {}

    final class Done: PendingCollective {
        func poll() throws(DistributedError) -> Bool { true }
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
}
