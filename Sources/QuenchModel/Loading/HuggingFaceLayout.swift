import QuenchTensor

/// Converts between Quench's layout of a parameter and the one a Hugging Face checkpoint stores:
/// the same floats, except GPT-2's Conv1D weights, which Hugging Face keeps transposed (in, out).
public enum HuggingFaceLayout {
    /// The shape the checkpoint stores for `spec`.
    public static func storedShape(_ spec: ParameterSpec) -> [Int] {
        spec.transposedInHuggingFace ? spec.shape.reversed() : spec.shape
    }

    /// Writes `stored` (in the checkpoint's layout) into `tensor` (Quench's layout).
    public static func fromHuggingFace(_ stored: UnsafeBufferPointer<Float>, into tensor: Tensor, spec: ParameterSpec) {
        guard spec.transposedInHuggingFace, spec.shape.count == 2 else {
            _ = tensor.storage.initialize(from: stored)
            return
        }
        transpose(stored, rows: spec.shape[1], columns: spec.shape[0], into: tensor.pointer)
    }

    /// The floats of `tensor` in the checkpoint's layout.
    public static func toHuggingFace(_ tensor: Tensor, spec: ParameterSpec) -> [Float] {
        guard spec.transposedInHuggingFace, spec.shape.count == 2 else { return tensor.toArray() }
        return [Float](unsafeUninitializedCapacity: tensor.count) { buffer, count in
            transpose(UnsafeBufferPointer(tensor.storage), rows: spec.shape[0], columns: spec.shape[1],
                      into: buffer.baseAddress!)
            count = tensor.count
        }
    }

    /// out (columns, rows) = source (rows, columns)ᵀ.
    static func transpose(_ source: UnsafeBufferPointer<Float>, rows: Int, columns: Int,
                          into out: UnsafeMutablePointer<Float>) {
        let s = source.baseAddress!
        Parallelism.cores.forEachRange(columns, grain: 8) { range in
            for column in range {
                for row in 0..<rows { out[column * rows + row] = s[row * columns + column] }
            }
        }
    }
}
