import QuenchModel
import QuenchTensor

/// Windows packed next-fit into rows of `time` positions, each window its own segment with
/// positions from 0, so a row of short windows (chat examples) costs one row and every window
/// sees only itself, exactly as if it were alone.
struct WindowBatcher {
    let set: TokenizedEvalSet
    let windows: [EvalWindow]
    /// Positions per row: the longest window.
    let time: Int
    /// Window indices of each row, in order.
    let rows: [[Int]]

    init(set: TokenizedEvalSet, windows: [EvalWindow]) {
        self.set = set
        self.windows = windows
        time = windows.map(\.length).max() ?? 1
        var rows: [[Int]] = []
        var used = time
        for (index, window) in windows.enumerated() {
            if used + window.length > time {
                rows.append([])
                used = 0
            }
            rows[rows.count - 1].append(index)
            used += window.length
        }
        self.rows = rows
    }

    /// Rows `range` as one batch of `batchSize` rows (missing rows are padding, never scored),
    /// and the UTF-8 bytes of the targets it scores (nil without byte counts).
    func batch(rows range: Range<Int>, batchSize: Int) -> (tokens: TokenBatch, bytes: Int?) {
        let count = batchSize * time
        var inputs = [Int32](repeating: 0, count: count)
        var targets = [Int32](repeating: CrossEntropy.ignoreIndex, count: count)
        var positions = [Int32](repeating: 0, count: count)
        var segments = [Int32](repeating: 0, count: count)
        var bytes = 0
        let byteCounts = set.tokenByteCounts
        for (row, windowIndices) in rows[range].enumerated() {
            var offset = row * time
            var segment: Int32 = 0
            for index in windowIndices {
                let window = windows[index]
                let document = set.documents[window.document]
                let source = window.start..<(window.start + window.length)
                inputs.replaceSubrange(offset..<(offset + window.length), with: document.ids[source])
                if let first = window.firstInput { inputs[offset] = first }
                for position in 0..<window.length {
                    positions[offset + position] = Int32(position)
                    segments[offset + position] = segment
                }
                for position in window.scored {
                    let target = window.start + position + 1
                    guard document.scored[target] else { continue }
                    let id = document.ids[target]
                    targets[offset + position] = id
                    if let byteCounts, byteCounts.indices.contains(Int(id)) { bytes += Int(byteCounts[Int(id)]) }
                }
                offset += window.length
                segment += 1
            }
            // The rest of the row is padding in a segment of its own.
            for position in offset..<((row + 1) * time) { segments[position] = segment }
        }
        // Rows of one window each (text streams) need neither: positions then run 0..<T, and the
        // padding after a window is causally invisible to it. This keeps the plain attention path.
        let packed = rows[range].contains { $0.count > 1 }
        let tokens = TokenBatch(batch: batchSize, time: time, inputs: inputs, targets: targets,
                                positions: packed ? positions : nil, segments: packed ? segments : nil)
        return (tokens, byteCounts == nil ? nil : bytes)
    }
}
