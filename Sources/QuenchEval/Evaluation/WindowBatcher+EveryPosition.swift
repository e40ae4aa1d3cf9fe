import QuenchModel
import QuenchTensor

/// One position of a window in a batch: where it sits in the flattened (B·T) batch.
struct BatchedPosition {
    /// Index of the window in the set's plan.
    let window: Int
    /// Position in the window.
    let position: Int
    /// Index in the batch's flattened inputs and targets.
    let flat: Int
    /// Index of the predicted token in the document; nil at the document's last token.
    let target: Int?
}

extension WindowBatcher {
    /// Visits every position of the windows of rows `range`, in window order, as `batch(rows:)` lays them out.
    func forEachPosition(rows range: Range<Int>, _ body: (BatchedPosition) throws -> Void) rethrows {
        for (row, windowIndices) in rows[range].enumerated() {
            var offset = row * time
            for index in windowIndices {
                let window = windows[index]
                let document = set.documents[window.document]
                let count = min(document.ids.count, document.scored.count)
                for position in 0..<window.length {
                    let target = window.start + position + 1
                    try body(BatchedPosition(window: index, position: position, flat: offset + position,
                                             target: target < count ? target : nil))
                }
                offset += window.length
            }
        }
    }

    /// `batch` (rows `range`, made by `batch(rows:)`) with a target at every position that has a next
    /// token, scored or not, so the forward pass computes each one's NLL; `batch.targets` still
    /// tells which ones the set's loss counts.
    func targetingEveryPosition(_ batch: TokenBatch, rows range: Range<Int>) -> TokenBatch {
        var targets = batch.targets ?? [Int32](repeating: CrossEntropy.ignoreIndex, count: batch.inputs.count)
        forEachPosition(rows: range) { slot in
            guard let target = slot.target else { return }
            targets[slot.flat] = set.documents[windows[slot.window].document].ids[target]
        }
        return TokenBatch(batch: batch.batch, time: batch.time, inputs: batch.inputs, targets: targets,
                          positions: batch.positions, segments: batch.segments)
    }
}
