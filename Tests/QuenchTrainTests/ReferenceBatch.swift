import Foundation
import QuenchModel
import Testing

extension TokenBatch {
    /// The batch a reference file was computed on: its `input_ids` and `labels`, rows × time.
    static func stored(in file: SafetensorsFile) throws -> TokenBatch {
        let shape = try #require(file.info("input_ids")).shape
        try #require(shape.count == 2, "\(file.url.path): input_ids has shape \(shape), expected rows × time")
        return TokenBatch(batch: shape[0], time: shape[1], inputs: try file.int32s("input_ids"),
                          targets: try file.int32s("labels"))
    }

    /// The batch the fixture model in `directory` was run on by the reference (its reference.safetensors).
    static func reference(of directory: URL) throws -> TokenBatch {
        try stored(in: SafetensorsFile(contentsOf: directory.appendingPathComponent("reference.safetensors")))
    }

    /// This batch's tokens, in order, cut into micro-batches of one row of `time` tokens (rows without
    /// positions or segments, as the reference batches are).
    func microBatches(time: Int) throws -> [TokenBatch] {
        try #require(time > 0 && inputs.count % time == 0 && positions == nil && segments == nil,
                     "\(batch) rows of \(self.time) tokens cannot be cut into rows of \(time)")
        return stride(from: 0, to: inputs.count, by: time).map { start in
            let range = start..<(start + time)
            return TokenBatch(batch: 1, time: time, inputs: Array(inputs[range]), targets: targets.map { Array($0[range]) })
        }
    }
}
