import QuenchTensor
import Testing

@Suite struct StorageTests {
    @Test func blockCarvesAlignedNamedTensorsFromOneAllocation() throws {
        let block = try TensorBlock(layout: [("wte", [10, 3]), ("ln.weight", [3]), ("head", [2, 2])])
        let wte = try block.tensor("wte"), ln = try block.tensor("ln.weight")
        #expect(wte.shape == [10, 3] && ln.shape == [3])
        #expect(block.entries.map(\.offset) == [0, 32, 48])
        #expect(block.parameterCount == 37)
        ln.storage[1] = 5
        #expect(block.flat.storage[33] == 5, "views share the block's storage")
        #expect(Int(bitPattern: ln.pointer) % 64 == 0)
        #expect(throws: TensorError.unknownTensor(name: "missing")) { try block.tensor("missing") }
        #expect(throws: TensorError.duplicateTensor(name: "a")) { try TensorBlock(layout: [("a", [1]), ("a", [2])]) }
    }

    @Test func contiguousJoinsPackedNeighboursOnly() throws {
        let packed = try TensorBlock(layout: [("q", [3, 2]), ("k", [1, 2]), ("v", [1, 2]), ("n", [5])], alignment: 1)
        let qkv = try packed.contiguous(["q", "k", "v"])
        #expect(qkv.shape == [5, 2])
        try packed.tensor("k").storage[1] = 9
        #expect(qkv.storage[7] == 9, "row 3 of the joined view is k's row")
        #expect(throws: TensorError.self) { try packed.contiguous(["q", "v"]) }
        #expect(throws: TensorError.self) { try packed.contiguous(["v", "n"]) }
        let aligned = try TensorBlock(layout: [("a", [1, 2]), ("b", [1, 2])])
        #expect(throws: TensorError.self) { try aligned.contiguous(["a", "b"]) }
    }

    @Test func viewsAndBorrowedStorageShareMemory() throws {
        let tensor = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let rows = try tensor.rowSlice(1..<2)
        rows.storage[0] = 40
        #expect(tensor.toArray() == [1, 2, 3, 40, 5, 6])
        #expect(throws: TensorError.self) { try tensor.reshaped([4, 2]) }
        var raw = [Float](repeating: 1, count: 4)
        try raw.withUnsafeMutableBufferPointer { buffer in
            let borrowed = try Tensor(borrowing: buffer, shape: [2, 2])
            Elementwise.scale(borrowed, by: 3)
            #expect(throws: TensorError.self) { try Tensor(borrowing: buffer, shape: [5]) }
        }
        #expect(raw == [3, 3, 3, 3])
        #expect(throws: TensorError.sizeOverflow(shape: [Int.max, 2])) { try Tensor(zeros: [Int.max, 2]) }
    }

    @Test func parallelLoopsAgreeWithSerialOnes() throws {
        let a = try randomTensor([100_003], seed: 80), b = try randomTensor([100_003], seed: 81)
        let serial = try Tensor(zeros: a.shape), parallel = try Tensor(zeros: a.shape)
        try Elementwise.add(a, b, into: serial, parallelism: .serial)
        try Elementwise.add(a, b, into: parallel, parallelism: Parallelism(workers: 4))
        #expect(serial.toArray() == parallel.toArray())
        let expected = a.toArray().reduce(0.0) { $0 + Double($1) * Double($1) }
        #expect(abs(Elementwise.sumOfSquares(a, parallelism: Parallelism(workers: 3)) - expected) < 1e-6 * expected)
        var covered = [Int](repeating: 0, count: 1000)
        covered.withUnsafeMutableBufferPointer { counts in
            let pointer = counts.baseAddress!
            Parallelism(workers: 7).forEachRange(1000) { range in for i in range { pointer[i] += 1 } }
        }
        #expect(covered.allSatisfy { $0 == 1 }, "every index visited exactly once")
    }
}
