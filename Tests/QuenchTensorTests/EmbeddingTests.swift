import QuenchTensor
import Testing

@Suite struct EmbeddingTests {
    @Test func forwardLooksUpAndBackwardScattersRepeatedIDs() throws {
        let table = try randomTensor([5, 3], seed: 40)
        let ids: [Int32] = [2, 0, 2, 4]
        let output = try Tensor(zeros: [4, 3])
        try Embedding.forward(ids: ids, table: table, output: output)
        let t = table.toArray()
        #expect(Array(output.toArray()[0..<3]) == Array(t[6..<9]))
        #expect(Array(output.toArray()[9..<12]) == Array(t[12..<15]))
        let projection = try randomTensor([4, 3], seed: 41)
        let grad = try Tensor(zeros: [5, 3])
        try Embedding.backward(ids: ids, outputGrad: projection, tableGrad: grad)
        let numerical = try numericalGradient(of: {
            try Embedding.forward(ids: ids, table: table, output: output); return projected(output, projection)
        }, wrt: table)
        expectGradient(grad, numerical, absolute: 1e-4, "table")
        #expect(grad.toArray()[3..<6].allSatisfy { $0 == 0 }, "row 1 was never looked up")
    }

    @Test func accumulateAddsPositionEmbeddings() throws {
        let table = try Tensor(shape: [2, 2], values: [1, 2, 3, 4])
        let output = try Tensor(shape: [2, 2], values: [10, 10, 10, 10])
        try Embedding.forward(ids: [1, 0], table: table, output: output, accumulate: true)
        #expect(output.toArray() == [13, 14, 11, 12])
    }

    @Test func outOfRangeIDIsRefused() throws {
        let table = try Tensor(zeros: [5, 3]), output = try Tensor(zeros: [2, 3])
        #expect(throws: TensorError.indexOutOfRange(operation: "Embedding.forward", index: 5, position: 1, limit: 5)) {
            try Embedding.forward(ids: [1, 5], table: table, output: output)
        }
    }
}
