/// Token (or position) embedding lookup.
///
/// Shapes: N = B·T looked-up rows, V table rows, C channels.
public enum Embedding {
    /// output (N,C) = table (V,C)[ids (N)], or += when `accumulate` (GPT-2 adds position embeddings).
    public static func forward(
        ids: [Int32], table: Tensor, output: Tensor, accumulate: Bool = false,
        parallelism: Parallelism = .cores
    ) throws {
        let (vocabulary, channels) = try check(ids: ids, table: table, other: output, operation: "Embedding.forward")
        _ = vocabulary
        let t = table.pointer, out = output.pointer
        ids.withUnsafeBufferPointer { idBuffer in
            parallelism.forEachRange(idBuffer.count, grain: 8) { range in
                for row in range {
                    let source = t + Int(idBuffer[row]) * channels
                    let target = out + row * channels
                    if accumulate {
                        for c in 0..<channels { target[c] += source[c] }
                    } else {
                        target.update(from: source, count: channels)
                    }
                }
            }
        }
    }

    /// tableGrad (V,C)[ids[i]] += outputGrad (N,C)[i]. Workers split the channels, so repeated ids
    /// never race.
    public static func backward(
        ids: [Int32], outputGrad: Tensor, tableGrad: Tensor, parallelism: Parallelism = .cores
    ) throws {
        let (_, channels) = try check(ids: ids, table: tableGrad, other: outputGrad, operation: "Embedding.backward")
        let g = tableGrad.pointer, dout = outputGrad.pointer
        ids.withUnsafeBufferPointer { idBuffer in
            parallelism.forEachRange(channels, grain: 32) { range in
                for row in 0..<idBuffer.count {
                    let target = g + Int(idBuffer[row]) * channels
                    let source = dout + row * channels
                    for c in range { target[c] += source[c] }
                }
            }
        }
    }

    private static func check(ids: [Int32], table: Tensor, other: Tensor, operation: String) throws -> (Int, Int) {
        guard table.shape.count == 2, other.columns == table.columns, other.rows == ids.count else {
            throw TensorError.shapeMismatch(
                operation: operation,
                detail: "\(ids.count) ids, table \(describe(table.shape)), rows \(describe(other.shape))")
        }
        let vocabulary = table.shape[0]
        for (position, id) in ids.enumerated() where id < 0 || Int(id) >= vocabulary {
            throw TensorError.indexOutOfRange(operation: operation, index: Int(id), position: position, limit: vocabulary)
        }
        return (vocabulary, table.columns)
    }
}
