import Foundation

/// Causal self-attention with grouped-query heads and a numerically stable softmax.
///
/// Shapes: B batch, T time, NH query heads, NKV key/value heads (NH a multiple of NKV; query head h
/// reads key/value head h / (NH/NKV)), HS head size.
///   query (B,T,NH,HS), key and value (B,T,NKV,HS), output (B,T,NH,HS)
///   probabilities (B,NH,T,T): the softmax, saved by the forward pass for the backward
/// Every product is a strided-batched `cblas_sgemm` that reads the heads in place (the leading
/// dimension skips the other heads), so nothing is transposed or copied; query rows go in blocks
/// that multiply only with the keys they can see, skipping most of the masked upper triangle.
/// The products are shared out over the compute team by (query block, batch row, key/value head),
/// or by (batch row, key/value head) where a key/value gradient sums over the blocks; each runs whole
/// on one thread, in the same order as a single thread would run them.
public struct Attention {
    public let batch: Int
    public let time: Int
    public let queryHeads: Int
    public let keyValueHeads: Int
    public let headSize: Int
    /// Query rows per causal block (see `queryBlocks`).
    public let queryBlock: Int

    /// Validates the head layout. `queryBlock` rows of queries are multiplied at a time with only
    /// the keys they can see.
    public init(batch: Int, time: Int, queryHeads: Int, keyValueHeads: Int, headSize: Int, queryBlock: Int = 64) throws {
        guard batch > 0, time > 0, queryHeads > 0, keyValueHeads > 0, headSize > 0, queryBlock > 0,
              queryHeads % keyValueHeads == 0 else {
            throw TensorError.invalidArgument(
                operation: "Attention",
                detail: "need positive sizes and query heads (\(queryHeads)) a multiple of key/value heads (\(keyValueHeads))")
        }
        self.batch = batch
        self.time = time
        self.queryHeads = queryHeads
        self.keyValueHeads = keyValueHeads
        self.headSize = headSize
        self.queryBlock = queryBlock
    }

    var group: Int { queryHeads / keyValueHeads }
    var scale: Float { 1 / Float(headSize).squareRoot() }
    var queryShape: [Int] { [batch, time, queryHeads, headSize] }
    var keyValueShape: [Int] { [batch, time, keyValueHeads, headSize] }
    /// Shape of the saved probabilities and of the backward pass's scratch.
    public var probabilityShape: [Int] { [batch, queryHeads, time, time] }

    /// output = softmax(mask(q kᵀ / √HS)) v. `segments` (B·T), when given, also stops a token from
    /// attending to earlier tokens of another segment (packed sequences stay apart).
    public func forward(
        query: Tensor, key: Tensor, value: Tensor, output: Tensor, probabilities: Tensor,
        segments: [Int32]? = nil, parallelism: Parallelism = .cores
    ) throws {
        try check("Attention.forward", [
            ("query", query, queryShape), ("key", key, keyValueShape), ("value", value, keyValueShape),
            ("output", output, queryShape), ("probabilities", probabilities, probabilityShape),
        ], segments: segments)
        let (T, HS, NH, NKV) = (time, headSize, queryHeads, keyValueHeads)
        // Causal: query rows r0..<r1 see keys 0..<r1 only, so each block of rows multiplies with
        // the keys up to its end and the masked upper triangle is never computed.
        let blocks = queryBlocks
        try eachTask(blocks.count * batch * NKV) { task in
            let (r0, r1) = blocks[task / (batch * NKV)]
            let (b, g) = (task % (batch * NKV)).quotientAndRemainder(dividingBy: NKV)
            let m = r1 - r0
            let firstHead = g * group
            // scores[b,h][r0..<r1, 0..<r1] = q[b,r0..<r1,h] (m,HS) · k[b,0..<r1,g]ᵀ (HS,r1) · scale
            try BLAS.gemmStridedBatched(
                .none, .transposed, m: m, n: r1, k: HS, alpha: scale,
                a: slice(query, from: ((b * T + r0) * NH + firstHead) * HS), lda: NH * HS, strideA: HS,
                b: slice(key, from: (b * T * NKV + g) * HS), ldb: NKV * HS, strideB: 0,
                c: mutableSlice(probabilities, from: (b * NH + firstHead) * T * T + r0 * T), ldc: T,
                strideC: T * T, batch: group)
        }
        softmaxRows(probabilities, segments: segments, parallelism: parallelism)
        try eachTask(blocks.count * batch * NKV) { task in
            let (r0, r1) = blocks[task / (batch * NKV)]
            let (b, g) = (task % (batch * NKV)).quotientAndRemainder(dividingBy: NKV)
            let m = r1 - r0
            let firstHead = g * group
            // out[b,r0..<r1,h] (m,HS) = p[b,h][r0..<r1, 0..<r1] (m,r1) · v[b,0..<r1,g] (r1,HS)
            try BLAS.gemmStridedBatched(
                .none, .none, m: m, n: HS, k: r1,
                a: slice(probabilities, from: (b * NH + firstHead) * T * T + r0 * T), lda: T, strideA: T * T,
                b: slice(value, from: (b * T * NKV + g) * HS), ldb: NKV * HS, strideB: 0,
                c: mutableSlice(output, from: ((b * T + r0) * NH + firstHead) * HS), ldc: NH * HS,
                strideC: HS, batch: group)
        }
    }

    /// Row blocks [r0, r1) of the queries; small enough that skipping the masked keys pays, large
    /// enough that each product stays efficient.
    var queryBlocks: [(Int, Int)] {
        stride(from: 0, to: time, by: queryBlock).map { ($0, min($0 + queryBlock, time)) }
    }

    /// queryGrad, keyGrad, valueGrad += the gradients of the loss; `scratch` (B,NH,T,T) is
    /// overwritten.
    public func backward(
        outputGrad: Tensor, query: Tensor, key: Tensor, value: Tensor, probabilities: Tensor,
        queryGrad: Tensor, keyGrad: Tensor, valueGrad: Tensor, scratch: Tensor,
        parallelism: Parallelism = .cores
    ) throws {
        try check("Attention.backward", [
            ("outputGrad", outputGrad, queryShape), ("query", query, queryShape), ("key", key, keyValueShape),
            ("value", value, keyValueShape), ("probabilities", probabilities, probabilityShape),
            ("queryGrad", queryGrad, queryShape), ("keyGrad", keyGrad, keyValueShape),
            ("valueGrad", valueGrad, keyValueShape), ("scratch", scratch, probabilityShape),
        ], segments: nil)
        let (T, HS, NH, NKV) = (time, headSize, queryHeads, keyValueHeads)
        let blocks = queryBlocks
        // dv and dk sum over the query blocks: one task per (b, g) runs its blocks in order.
        try eachTask(batch * NKV) { pair in
            let (b, g) = pair.quotientAndRemainder(dividingBy: NKV)
            for (r0, r1) in blocks {
                let m = r1 - r0
                let firstHead = g * group
                let scores = (b * NH + firstHead) * T * T + r0 * T
                let queryRows = ((b * T + r0) * NH + firstHead) * HS
                let keyRows = (b * T * NKV + g) * HS
                // dP[b,h][r0..<r1, 0..<r1] = dout[b,r0..<r1,h] (m,HS) · v[b,0..<r1,g]ᵀ
                try BLAS.gemmStridedBatched(
                    .none, .transposed, m: m, n: r1, k: HS,
                    a: slice(outputGrad, from: queryRows), lda: NH * HS, strideA: HS,
                    b: slice(value, from: keyRows), ldb: NKV * HS, strideB: 0,
                    c: mutableSlice(scratch, from: scores), ldc: T, strideC: T * T, batch: group)
                // dv[b,0..<r1,g] (r1,HS) += Σ_h p[b,h][r0..<r1, 0..<r1]ᵀ · dout[b,r0..<r1,h]  (stride 0 accumulates)
                try BLAS.gemmStridedBatched(
                    .transposed, .none, m: r1, n: HS, k: m,
                    a: slice(probabilities, from: scores), lda: T, strideA: T * T,
                    b: slice(outputGrad, from: queryRows), ldb: NH * HS, strideB: HS,
                    beta: 1, c: mutableSlice(valueGrad, from: keyRows), ldc: NKV * HS, strideC: 0, batch: group)
            }
        }
        softmaxBackwardRows(probabilities: probabilities, gradient: scratch, parallelism: parallelism)
        try eachTask(batch * NKV) { pair in
            let (b, g) = pair.quotientAndRemainder(dividingBy: NKV)
            for (r0, r1) in blocks {
                let m = r1 - r0
                let firstHead = g * group
                let scores = (b * NH + firstHead) * T * T + r0 * T
                let queryRows = ((b * T + r0) * NH + firstHead) * HS
                let keyRows = (b * T * NKV + g) * HS
                // dq[b,r0..<r1,h] (m,HS) += scale · dS[b,h][r0..<r1, 0..<r1] · k[b,0..<r1,g]
                try BLAS.gemmStridedBatched(
                    .none, .none, m: m, n: HS, k: r1, alpha: scale,
                    a: slice(scratch, from: scores), lda: T, strideA: T * T,
                    b: slice(key, from: keyRows), ldb: NKV * HS, strideB: 0,
                    beta: 1, c: mutableSlice(queryGrad, from: queryRows), ldc: NH * HS, strideC: HS, batch: group)
                // dk[b,0..<r1,g] (r1,HS) += scale · Σ_h dS[b,h][r0..<r1, 0..<r1]ᵀ · q[b,r0..<r1,h]
                try BLAS.gemmStridedBatched(
                    .transposed, .none, m: r1, n: HS, k: m, alpha: scale,
                    a: slice(scratch, from: scores), lda: T, strideA: T * T,
                    b: slice(query, from: queryRows), ldb: NH * HS, strideB: HS,
                    beta: 1, c: mutableSlice(keyGrad, from: keyRows), ldc: NKV * HS, strideC: 0, batch: group)
            }
        }
    }

    /// Runs `body(task)` for every task on the compute team (tasks write disjoint memory) and
    /// rethrows the first task's error, if any.
    private func eachTask(_ count: Int, _ body: (Int) throws -> Void) throws {
        var errors = [TensorError?](repeating: nil, count: count)
        errors.withUnsafeMutableBufferPointer { slots in
            ComputeTeam.run(count) { task in
                do { try body(task) } catch {
                    slots[task] = error as? TensorError
                        ?? .invalidArgument(operation: "Attention", detail: "\(error)")
                }
            }
        }
        if let first = errors.lazy.compactMap({ $0 }).first { throw first }
    }

    /// Row-wise masked softmax of the (B·NH·T, T) scores, in place; masked entries become 0.
    private func softmaxRows(_ scores: Tensor, segments: [Int32]?, parallelism: Parallelism) {
        let T = time, NH = queryHeads
        let p = scores.pointer
        let segmentIDs = segments ?? []
        segmentIDs.withUnsafeBufferPointer { segment in
            parallelism.forEachRange(batch * NH * T, grain: 16) { range in
                for rowIndex in range {
                    let i = rowIndex % T
                    let b = rowIndex / (NH * T)
                    let row = p + rowIndex * T
                    // Keys j in first...i are visible: causal, and within the query's segment.
                    var first = 0
                    if !segment.isEmpty {
                        let own = segment[b * T + i]
                        first = i
                        while first > 0 && segment[b * T + first - 1] == own { first -= 1 }
                    }
                    let visible = i - first + 1
                    let maximum = VectorMath.maximum(row + first, visible)
                    let total = VectorMath.exponentiate(row + first, visible, subtracting: maximum)
                    VectorMath.scale(row + first, visible, by: 1 / total)
                    for j in 0..<first { row[j] = 0 }
                    for j in (i + 1)..<T { row[j] = 0 }
                }
            }
        }
    }

    /// dS = P ⊙ (dP − rowsum(P ⊙ dP)), in place of dP; masked entries stay 0 because P is 0 there.
    private func softmaxBackwardRows(probabilities: Tensor, gradient: Tensor, parallelism: Parallelism) {
        let T = time
        let p = probabilities.pointer, d = gradient.pointer
        parallelism.forEachRange(batch * queryHeads * T, grain: 16) { range in
            for rowIndex in range {
                let i = rowIndex % T
                let pr = p + rowIndex * T, dr = d + rowIndex * T
                let dot = VectorMath.dot(pr, dr, i + 1)
                for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) }
                for j in (i + 1)..<T { dr[j] = 0 }
            }
        }
    }

    private func check(_ operation: String, _ operands: [(String, Tensor, [Int])], segments: [Int32]?) throws {
        for (name, tensor, expected) in operands where tensor.count != expected.reduce(1, *) {
            throw TensorError.shapeMismatch(
                operation: operation,
                detail: "\(name) is \(describe(tensor.shape)), expected \(describe(expected)) "
                    + "(B=\(batch), T=\(time), NH=\(queryHeads), NKV=\(keyValueHeads), HS=\(headSize))")
        }
        if let segments, segments.count != batch * time {
            throw TensorError.shapeMismatch(
                operation: operation, detail: "\(segments.count) segment ids for B·T = \(batch * time) tokens")
        }
    }

    private func slice(_ tensor: Tensor, from offset: Int) -> UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(rebasing: tensor.storage[offset...])
    }

    private func mutableSlice(_ tensor: Tensor, from offset: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: tensor.storage[offset...])
    }
}
