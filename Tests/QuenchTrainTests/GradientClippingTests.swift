import Foundation
import QuenchTensor
import Testing
@testable import QuenchTrain

/// The gradient norm is summed over ranges fixed by the block's size, so ranks whose compute teams
/// differ in size compute the same bits and clip alike.
@Suite struct GradientClippingTests {
    @Test func theNormIsSummedOverRangesFixedByTheBlockSizeAlone() throws {
        let count = 3 * GradientClipping.normChunk + 1_234
        let block = try TensorBlock(layout: [("g", [count])])
        let values: [Float] = (0..<count).map { (index: Int) -> Float in
            Float(sin(Double(index) * 0.37) * Double(1 + index % 97) * 1e-3)
        }
        try block.tensor(at: 0).copy(from: Tensor(shape: [count], values: values))
        // The same sum written out: `count / normChunk` ranges, each in 256-float Float blocks carried
        // in Double, the ranges' sums added in order. Nothing here depends on the machine's cores.
        let chunks = block.flat.count / GradientClipping.normChunk
        var expected = 0.0
        for chunk in 0..<chunks {
            let start = block.flat.count * chunk / chunks, end = block.flat.count * (chunk + 1) / chunks
            var partial = 0.0
            for blockStart in stride(from: start, to: end, by: 256) {
                var sum: Float = 0
                for i in blockStart..<min(blockStart + 256, end) { sum += block.flat.storage[i] * block.flat.storage[i] }
                partial += Double(sum)
            }
            expected += partial
        }
        #expect(GradientClipping.norm(block) == expected.squareRoot())
        let exact = values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(GradientClipping.norm(block) - exact) < 1e-6 * exact, "Float blocks of 256 round at about 1e-7")
    }

    @Test func clippingScalesToTheMaximumAndReturnsTheNormBefore() throws {
        let block = try TensorBlock(layout: [("g", [2])])
        try block.tensor(at: 0).copy(from: Tensor(shape: [2], values: [3, 4]))
        #expect(GradientClipping.clip(block, maximum: 1) == 5)
        let clipped = block.tensor(at: 0).toArray()
        #expect(abs(clipped[0] - 0.6) < 1e-6 && abs(clipped[1] - 0.8) < 1e-6)
    }
}
