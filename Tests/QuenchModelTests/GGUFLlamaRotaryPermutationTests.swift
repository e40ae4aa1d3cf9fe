import Testing
@testable import QuenchModel

@Suite("Llama rotary row permutation")
struct GGUFLlamaRotaryPermutationTests {
    func permuted(_ values: [Float], rows: Int, columns: Int, heads: Int, toGGUF: Bool) throws -> [Float] {
        var data = values
        try data.withUnsafeMutableBufferPointer { buffer in
            if toGGUF {
                try LlamaRotaryPermutation.toGGUF(buffer, rows: rows, columns: columns, heads: heads)
            } else {
                try LlamaRotaryPermutation.toHuggingFace(buffer, rows: rows, columns: columns, heads: heads)
            }
        }
        return data
    }

    @Test("hand-computed: HF rows h·d + i·d/2 + j go to GGUF rows h·d + 2j + i")
    func handComputed() throws {
        // One head of 4 rows: HF (a0 a1 | b0 b1) interleaves to (a0 b0 a1 b1).
        #expect(try permuted([0, 1, 2, 3], rows: 4, columns: 1, heads: 1, toGGUF: true) == [0, 2, 1, 3])
        // One head of 6 rows: (0 1 2 | 3 4 5) → (0 3 1 4 2 5).
        #expect(try permuted([0, 1, 2, 3, 4, 5], rows: 6, columns: 1, heads: 1, toGGUF: true) == [0, 3, 1, 4, 2, 5])
        // Two heads of 4 rows, 2 columns: whole rows move, each head on its own.
        let hf: [Float] = (0..<16).map(Float.init)
        let gguf: [Float] = [0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]
        #expect(try permuted(hf, rows: 8, columns: 2, heads: 2, toGGUF: true) == gguf)
        #expect(try permuted(gguf, rows: 8, columns: 2, heads: 2, toGGUF: false) == hf)
    }

    @Test("toHuggingFace undoes toGGUF at SmolLM2's Q and K shapes", arguments: [(576, 9), (192, 3)])
    func inverses(rows: Int, heads: Int) throws {
        let columns = 576
        let values = (0..<(rows * columns)).map { Float($0 % 9973) * 0.5 }
        let forward = try permuted(values, rows: rows, columns: columns, heads: heads, toGGUF: true)
        #expect(forward != values)
        #expect(try permuted(forward, rows: rows, columns: columns, heads: heads, toGGUF: false) == values)
        let backward = try permuted(values, rows: rows, columns: columns, heads: heads, toGGUF: false)
        #expect(try permuted(backward, rows: rows, columns: columns, heads: heads, toGGUF: true) == values)
    }

    @Test("shapes it cannot apply to are errors")
    func invalid() {
        #expect(throws: GGUFError.invalidPermutation(rows: 6, columns: 1, heads: 2, count: 6)) {
            _ = try permuted([Float](repeating: 0, count: 6), rows: 6, columns: 1, heads: 2, toGGUF: true)
        }
        #expect(throws: GGUFError.invalidPermutation(rows: 4, columns: 2, heads: 1, count: 7)) {
            _ = try permuted([Float](repeating: 0, count: 7), rows: 4, columns: 2, heads: 1, toGGUF: false)
        }
        #expect(throws: GGUFError.invalidPermutation(rows: 4, columns: 1, heads: 0, count: 4)) {
            _ = try permuted([0, 1, 2, 3], rows: 4, columns: 1, heads: 0, toGGUF: false)
        }
    }
}
