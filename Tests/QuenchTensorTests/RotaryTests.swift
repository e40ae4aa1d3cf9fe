import Foundation
import QuenchTensor
import Testing

@Suite struct RotaryTests {
    @Test func rotatesHalvesByPositionDependentAngles() throws {
        let (B, T, H, HS) = (1, 3, 2, 4)
        let rope = try RotaryEmbedding(headSize: HS, maxPositions: 8, theta: 100)
        let x = try randomTensor([B, T, H, HS], seed: 60)
        let original = x.toArray()
        try rope.forward(x, batch: B, time: T)
        let rotated = x.toArray()
        for t in 0..<T {
            for h in 0..<H {
                for i in 0..<(HS / 2) {
                    let angle = Double(t) * pow(100, -Double(2 * i) / Double(HS))
                    let base = (t * H + h) * HS
                    let a = Double(original[base + i]), b = Double(original[base + i + HS / 2])
                    #expect(abs(Double(rotated[base + i]) - (a * cos(angle) - b * sin(angle))) < 1e-5)
                    #expect(abs(Double(rotated[base + i + HS / 2]) - (b * cos(angle) + a * sin(angle))) < 1e-5)
                }
            }
        }
        // Position 0 is the identity.
        expectClose(Array(rotated[0..<(H * HS)]), Array(original[0..<(H * HS)]), tolerance: 0, "position 0")
    }

    @Test func backwardIsTheTransposeOfForward() throws {
        let (B, T, H, HS) = (2, 3, 2, 6)
        let rope = try RotaryEmbedding(headSize: HS, maxPositions: 16)
        let positions: [Int32] = [0, 1, 2, 5, 9, 15]
        let x = try randomTensor([B, T, H, HS], seed: 61)
        let projection = try randomTensor(x.shape, seed: 62)
        let work = try Tensor(zeros: x.shape)
        func loss() throws -> Double {
            try work.copy(from: x)
            try rope.forward(work, batch: B, time: T, positions: positions)
            return projected(work, projection)
        }
        let grad = try Tensor(zeros: x.shape)
        try grad.copy(from: projection)
        try rope.backward(grad, batch: B, time: T, positions: positions)
        expectGradient(grad, try numericalGradient(of: loss, wrt: x), "rope")
    }

    @Test func positionBeyondTheTableIsRefused() throws {
        let rope = try RotaryEmbedding(headSize: 4, maxPositions: 4)
        let x = try Tensor(zeros: [1, 2, 1, 4])
        #expect(throws: TensorError.self) { try rope.forward(x, batch: 1, time: 2, positions: [0, 4]) }
        #expect(throws: TensorError.self) { try RotaryEmbedding(headSize: 5, maxPositions: 4) }
    }
}
