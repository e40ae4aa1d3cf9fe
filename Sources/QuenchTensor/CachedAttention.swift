import Foundation

/// Attention of one new token over a key/value cache, for generation.
///
/// Shapes: NH query heads, NKV key/value heads, HS head size, L cached positions (the new token's
/// own key and value already appended).
///   query (NH,HS); keys and values (≥L, NKV, HS); output (NH,HS); scores scratch (≥L)
public enum CachedAttention {
    /// output[h] = Σ_j softmax_j(q[h]·k[j,g] / √HS) v[j,g], g = h / (NH/NKV), over j < length.
    public static func attend(
        query: Tensor, keys: Tensor, values: Tensor, length: Int, output: Tensor, scores: Tensor,
        queryHeads: Int, keyValueHeads: Int, headSize: Int
    ) throws {
        let kvWidth = keyValueHeads * headSize
        guard queryHeads % keyValueHeads == 0, length > 0, query.count == queryHeads * headSize,
              output.count == query.count, keys.count >= length * kvWidth, values.count >= length * kvWidth,
              scores.count >= length else {
            throw TensorError.shapeMismatch(
                operation: "CachedAttention.attend",
                detail: "query \(describe(query.shape)), cache \(describe(keys.shape)) for \(length) positions, "
                    + "NH=\(queryHeads) NKV=\(keyValueHeads) HS=\(headSize)")
        }
        let group = queryHeads / keyValueHeads, scale = 1 / Float(headSize).squareRoot()
        let q = query.pointer, k = keys.pointer, v = values.pointer, out = output.pointer, s = scores.pointer
        for h in 0..<queryHeads {
            let g = h / group
            let qh = q + h * headSize
            var maximum = -Float.infinity
            for j in 0..<length {
                let score = VectorMath.dot(qh, k + j * kvWidth + g * headSize, headSize) * scale
                s[j] = score
                maximum = max(maximum, score)
            }
            var total: Float = 0
            for j in 0..<length {
                s[j] = expf(s[j] - maximum)
                total += s[j]
            }
            let oh = out + h * headSize
            oh.update(repeating: 0, count: headSize)
            for j in 0..<length {
                let weight = s[j] / total, vj = v + j * kvWidth + g * headSize
                for d in 0..<headSize { oh[d] += weight * vj[d] }
            }
        }
    }
}
