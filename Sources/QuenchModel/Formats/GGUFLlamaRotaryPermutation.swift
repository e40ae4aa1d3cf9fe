/// The reordering of Q and K projection rows that llama.cpp's converter applies to Llama models.
///
/// Hugging Face's Llama rotates pairs (x[i], x[i + d/2]) within each head of dimension d;
/// ggml's rope rotates adjacent pairs (x[2i], x[2i + 1]). `convert_hf_to_gguf.py` therefore
/// permutes the rows of `attn_q` (over n_head) and `attn_k` (over n_head_kv):
/// `w.reshape(heads, 2, d/2, columns).swapaxes(1, 2).reshape(rows, columns)`, so HF row
/// `h·d + i·d/2 + j` becomes GGUF row `h·d + 2j + i` (i in 0..<2, j in 0..<d/2).
/// A GGUF Llama must be passed through `toHuggingFace` before use with HF-style rotary code.
public enum LlamaRotaryPermutation {
    /// Undoes llama.cpp's permutation in place: GGUF row order → Hugging Face row order.
    ///
    /// `data` is a row-major (rows, columns) matrix, or a vector with `columns` 1 (a bias).
    /// - Throws: `GGUFError.invalidPermutation` unless rows is a positive multiple of 2×heads,
    ///   columns is positive and rows×columns equals `data.count`.
    public static func toHuggingFace(
        _ data: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int, heads: Int
    ) throws {
        try permute(data, rows: rows, columns: columns, heads: heads, toGGUF: false)
    }

    /// Applies llama.cpp's permutation in place: Hugging Face row order → GGUF row order.
    ///
    /// - Throws: as `toHuggingFace`.
    public static func toGGUF(
        _ data: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int, heads: Int
    ) throws {
        try permute(data, rows: rows, columns: columns, heads: heads, toGGUF: true)
    }

    private static func permute(
        _ data: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int, heads: Int, toGGUF: Bool
    ) throws {
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard heads > 0, rows > 0, columns > 0, !overflow, count == data.count,
            rows % (2 * heads) == 0, let base = data.baseAddress
        else {
            throw GGUFError.invalidPermutation(rows: rows, columns: columns, heads: heads, count: data.count)
        }
        let headRows = rows / heads
        let halfRows = headRows / 2
        let headSize = headRows * columns
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: headSize)
        defer { scratch.deallocate() }
        for head in 0..<heads {
            let block = base + head * headSize
            scratch.update(from: block, count: headSize)
            for i in 0..<2 {
                for j in 0..<halfRows {
                    let huggingFaceRow = i * halfRows + j
                    let ggufRow = 2 * j + i
                    let (from, to) = toGGUF ? (huggingFaceRow, ggufRow) : (ggufRow, huggingFaceRow)
                    (block + to * columns).update(from: scratch + from * columns, count: columns)
                }
            }
        }
    }
}
