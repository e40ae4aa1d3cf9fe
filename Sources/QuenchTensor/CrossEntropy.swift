import Foundation

/// Softmax cross-entropy over the vocabulary, fused with the language-model head and computed a chunk
/// of rows at a time, so the full (N,V) logits are never held.
///
/// Shapes: N = B·T rows, C channels, V vocabulary, R rows per chunk.
///   hidden (N,C): the last hidden state; weight (V,C): the head (tied to the embedding or not);
///   targets (N): next-token ids, `ignoreIndex` (-100) where a position is not scored;
///   scratch (R,V): logits of one chunk, overwritten.
public enum CrossEntropy {
    /// The target value of positions that are not scored.
    public static let ignoreIndex: Int32 = -100

    /// Summed negative log-likelihood and how many targets it covers.
    public struct Result: Sendable, Equatable {
        public let summedLoss: Double
        public let scoredTokens: Int
        /// Mean loss over scored tokens (0 when none is scored).
        public var meanLoss: Double { scoredTokens == 0 ? 0 : summedLoss / Double(scoredTokens) }
    }

    /// Number of targets that are not `ignoreIndex`.
    public static func scoredCount(_ targets: [Int32]) -> Int {
        targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
    }

    /// Loss only (evaluation): writes each row's NLL into `tokenLoss` (N) when given (0 where ignored).
    public static func forward(
        hidden: Tensor, weight: Tensor, targets: [Int32], scratch: Tensor, tokenLoss: Tensor? = nil,
        parallelism: Parallelism = .cores, engine: MatrixEngine = .fp32
    ) throws -> Result {
        try run(hidden: hidden, weight: weight, targets: targets, scratch: scratch, tokenLoss: tokenLoss,
                gradientScale: nil, hiddenGrad: nil, weightGrad: nil, parallelism: parallelism, engine: engine)
    }

    /// Loss and gradients: hiddenGrad (N,C) += gradientScale · ∂L/∂hidden, weightGrad (V,C) += the
    /// same for the head (nil when the head is frozen: its GEMM is skipped). L is the summed NLL;
    /// `gradientScale` defaults to 1 / scored tokens, which makes the gradient that of the mean.
    public static func forwardBackward(
        hidden: Tensor, weight: Tensor, targets: [Int32], scratch: Tensor,
        hiddenGrad: Tensor, weightGrad: Tensor?, gradientScale: Float? = nil,
        parallelism: Parallelism = .cores, engine: MatrixEngine = .fp32
    ) throws -> Result {
        let scale = gradientScale ?? 1 / Float(max(scoredCount(targets), 1))
        return try run(hidden: hidden, weight: weight, targets: targets, scratch: scratch, tokenLoss: nil,
                       gradientScale: scale, hiddenGrad: hiddenGrad, weightGrad: weightGrad,
                       parallelism: parallelism, engine: engine)
    }

    private static func run(
        hidden: Tensor, weight: Tensor, targets: [Int32], scratch: Tensor, tokenLoss: Tensor?,
        gradientScale: Float?, hiddenGrad: Tensor?, weightGrad: Tensor?, parallelism: Parallelism,
        engine: MatrixEngine
    ) throws -> Result {
        let rows = hidden.rows, channels = hidden.columns
        let vocabulary = weight.shape.first ?? 0
        let chunkRows = scratch.rows
        guard weight.shape.count == 2, weight.columns == channels, targets.count == rows,
              scratch.columns == vocabulary, chunkRows > 0,
              hiddenGrad.map({ $0.count == hidden.count }) ?? true,
              weightGrad.map({ $0.count == weight.count }) ?? true,
              tokenLoss.map({ $0.count == rows }) ?? true
        else {
            throw TensorError.shapeMismatch(
                operation: "CrossEntropy",
                detail: "hidden \(describe(hidden.shape)), weight \(describe(weight.shape)), \(targets.count) targets, "
                    + "scratch \(describe(scratch.shape)) (needs V=\(vocabulary) columns)")
        }
        for (position, target) in targets.enumerated()
        where target != ignoreIndex && (target < 0 || Int(target) >= vocabulary) {
            throw TensorError.indexOutOfRange(
                operation: "CrossEntropy", index: Int(target), position: position, limit: vocabulary)
        }
        var summed: Double = 0
        var scored = 0
        try targets.withUnsafeBufferPointer { targetBuffer in
            var start = 0
            while start < rows {
                let count = min(chunkRows, rows - start)
                let chunkTargets = UnsafeBufferPointer(rebasing: targetBuffer[start..<(start + count)])
                guard chunkTargets.contains(where: { $0 != ignoreIndex }) else {
                    // No scored row: no loss, zero gradients, so the chunk's three products are skipped
                    // (llama.cpp-style windows score only their second half).
                    if let tokenLoss { (tokenLoss.pointer + start).update(repeating: 0, count: count) }
                    start += count
                    continue
                }
                let hiddenChunk = try hidden.reshaped([rows, channels]).rowSlice(start..<(start + count))
                let logits = try scratch.rowSlice(0..<count)
                // logits (R,V) = hidden chunk (R,C) · weightᵀ (C,V)
                try MatMul.multiply(hiddenChunk, .none, weight, .transposed, into: logits, engine: engine)
                let chunkLoss = tokenLoss.map { $0.pointer + start }
                let (loss, tokens) = softmaxRows(
                    logits: logits, targets: chunkTargets, gradientScale: gradientScale,
                    tokenLoss: chunkLoss, parallelism: parallelism)
                summed += loss
                scored += tokens
                if let hiddenGrad {
                    // dhidden chunk (R,C) += dlogits (R,V) · weight (V,C)
                    let gradChunk = try hiddenGrad.reshaped([rows, channels]).rowSlice(start..<(start + count))
                    try MatMul.multiply(logits, .none, weight, .none, into: gradChunk, beta: 1, engine: engine)
                }
                if let weightGrad {
                    // dweight (V,C) += dlogitsᵀ (V,R) · hidden chunk (R,C)
                    try MatMul.multiply(logits, .transposed, hiddenChunk, .none, into: weightGrad, beta: 1, engine: engine)
                }
                start += count
            }
        }
        return Result(summedLoss: summed, scoredTokens: scored)
    }

    /// For each row: NLL = logsumexp(row) − row[target]. With a gradient scale, the row becomes
    /// scale · (softmax − onehot), or zeros for an ignored row.
    private static func softmaxRows(
        logits: Tensor, targets: UnsafeBufferPointer<Int32>, gradientScale: Float?,
        tokenLoss: UnsafeMutablePointer<Float>?, parallelism: Parallelism
    ) -> (Double, Int) {
        let vocabulary = logits.columns
        let base = logits.pointer
        let summed = parallelism.sum(targets.count) { range in
            var partial: Double = 0
            for row in range {
                let values = base + row * vocabulary
                let target = targets[row]
                guard target != ignoreIndex else {
                    tokenLoss?[row] = 0
                    if gradientScale != nil { values.update(repeating: 0, count: vocabulary) }
                    continue
                }
                let targetLogit = values[Int(target)]
                let maximum = VectorMath.maximum(values, vocabulary)
                let total: Float
                if let scale = gradientScale {
                    total = VectorMath.exponentiate(values, vocabulary, subtracting: maximum)
                    VectorMath.scale(values, vocabulary, by: scale / total)
                    values[Int(target)] -= scale
                } else {
                    total = VectorMath.sumOfExponentials(values, vocabulary, subtracting: maximum)
                }
                let nll = logf(total) + maximum - targetLogit
                tokenLoss?[row] = nll
                partial += Double(nll)
            }
            return partial
        }
        return (summed, targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) })
    }
}
