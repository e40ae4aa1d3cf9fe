import Foundation
import QuenchTensor
import Testing

@Suite struct AttentionTests {
    /// Triple-loop reference in Double: causal, grouped-query, optional segments.
    func naive(q: [Float], k: [Float], v: [Float], B: Int, T: Int, NH: Int, NKV: Int, HS: Int, segments: [Int32]?) -> [Float] {
        var out = [Float](repeating: 0, count: B * T * NH * HS)
        let scale = 1 / Double(HS).squareRoot()
        for b in 0..<B {
            for h in 0..<NH {
                let g = h / (NH / NKV)
                for i in 0..<T {
                    var scores: [Double] = []
                    var visible: [Int] = []
                    for j in 0...i where segments == nil || segments![b * T + j] == segments![b * T + i] {
                        var s = 0.0
                        for d in 0..<HS { s += Double(q[((b * T + i) * NH + h) * HS + d]) * Double(k[((b * T + j) * NKV + g) * HS + d]) }
                        scores.append(s * scale)
                        visible.append(j)
                    }
                    let m = scores.max()!
                    let e = scores.map { exp($0 - m) }
                    let total = e.reduce(0, +)
                    for d in 0..<HS {
                        var acc = 0.0
                        for (n, j) in visible.enumerated() { acc += e[n] / total * Double(v[((b * T + j) * NKV + g) * HS + d]) }
                        out[((b * T + i) * NH + h) * HS + d] = Float(acc)
                    }
                }
            }
        }
        return out
    }

    @Test(arguments: [(4, 2, 64), (4, 4, 2), (3, 1, 3)])
    func forwardMatchesTripleLoopWithGroupedQueryHeads(_ queryHeads: Int, _ keyValueHeads: Int, _ block: Int) throws {
        let (B, T, HS) = (2, 5, 4)
        let attention = try Attention(batch: B, time: T, queryHeads: queryHeads, keyValueHeads: keyValueHeads,
                                      headSize: HS, queryBlock: block)
        let q = try randomTensor([B, T, queryHeads, HS], seed: 50, scale: 2)
        let k = try randomTensor([B, T, keyValueHeads, HS], seed: 51, scale: 2)
        let v = try randomTensor([B, T, keyValueHeads, HS], seed: 52)
        let out = try Tensor(zeros: q.shape), p = try Tensor(zeros: attention.probabilityShape)
        try attention.forward(query: q, key: k, value: v, output: out, probabilities: p)
        let expected = naive(q: q.toArray(), k: k.toArray(), v: v.toArray(), B: B, T: T, NH: queryHeads,
                             NKV: keyValueHeads, HS: HS, segments: nil)
        expectClose(out.toArray(), expected, tolerance: 1e-5, "attention output")
        // Causal: no probability above the diagonal.
        let probabilities = p.toArray()
        for row in 0..<(B * queryHeads * T) {
            let i = row % T
            #expect(probabilities[(row * T + i + 1)..<(row * T + T)].allSatisfy { $0 == 0 })
        }
    }

    @Test func segmentsKeepPackedSequencesApart() throws {
        let (B, T, NH, NKV, HS) = (1, 6, 2, 1, 3)
        let attention = try Attention(batch: B, time: T, queryHeads: NH, keyValueHeads: NKV, headSize: HS, queryBlock: 4)
        let q = try randomTensor([B, T, NH, HS], seed: 53), k = try randomTensor([B, T, NKV, HS], seed: 54)
        let v = try randomTensor([B, T, NKV, HS], seed: 55)
        let segments: [Int32] = [0, 0, 0, 1, 1, 2]
        let out = try Tensor(zeros: q.shape), p = try Tensor(zeros: attention.probabilityShape)
        try attention.forward(query: q, key: k, value: v, output: out, probabilities: p, segments: segments)
        let expected = naive(q: q.toArray(), k: k.toArray(), v: v.toArray(), B: B, T: T, NH: NH, NKV: NKV, HS: HS, segments: segments)
        expectClose(out.toArray(), expected, tolerance: 1e-5, "segmented attention")
        // The first token of segment 1 sees only itself: its output is its own value row.
        expectClose(Array(out.toArray()[(3 * NH * HS)..<(3 * NH * HS + HS)]), Array(v.toArray()[(3 * HS)..<(4 * HS)]),
                    tolerance: 1e-6, "segment start")
    }

    @Test(arguments: [64, 3])
    func backwardMatchesFiniteDifferences(_ block: Int) throws {
        let (B, T, NH, NKV, HS) = (2, 7, 4, 2, 3)
        let attention = try Attention(batch: B, time: T, queryHeads: NH, keyValueHeads: NKV, headSize: HS, queryBlock: block)
        let q = try randomTensor([B, T, NH, HS], seed: 56), k = try randomTensor([B, T, NKV, HS], seed: 57)
        let v = try randomTensor([B, T, NKV, HS], seed: 58)
        let out = try Tensor(zeros: q.shape), p = try Tensor(zeros: attention.probabilityShape)
        let projection = try randomTensor(q.shape, seed: 59)
        func loss() throws -> Double {
            try attention.forward(query: q, key: k, value: v, output: out, probabilities: p)
            return projected(out, projection)
        }
        _ = try loss()
        let dq = try Tensor(zeros: q.shape), dk = try Tensor(zeros: k.shape), dv = try Tensor(zeros: v.shape)
        let scratch = try Tensor(zeros: attention.probabilityShape)
        try attention.backward(outputGrad: projection, query: q, key: k, value: v, probabilities: p,
                               queryGrad: dq, keyGrad: dk, valueGrad: dv, scratch: scratch)
        expectGradient(dq, try numericalGradient(of: loss, wrt: q), "query")
        expectGradient(dk, try numericalGradient(of: loss, wrt: k), "key")
        expectGradient(dv, try numericalGradient(of: loss, wrt: v), "value")
    }

    @Test func badHeadLayoutAndShapesThrow() throws {
        #expect(throws: TensorError.self) { try Attention(batch: 1, time: 4, queryHeads: 3, keyValueHeads: 2, headSize: 4) }
        let attention = try Attention(batch: 1, time: 4, queryHeads: 2, keyValueHeads: 1, headSize: 4)
        let q = try Tensor(zeros: [1, 4, 2, 4]), kv = try Tensor(zeros: [1, 4, 2, 4])
        let p = try Tensor(zeros: attention.probabilityShape)
        #expect(throws: TensorError.self) {
            try attention.forward(query: q, key: kv, value: kv, output: q, probabilities: p)
        }
    }
}
