import QuenchModel
import QuenchTensor
import QuenchData

/// Training rows of `time` positions built from examples under a `SequencePolicy`: inputs,
/// next-token targets (`CrossEntropy.ignoreIndex` where unscored), positions and segment ids,
/// stored flattened row-major so a batch is a handful of contiguous copies.
public struct SequenceSet: Sendable, Equatable {
    /// Counts describing what building the rows did with the examples.
    public struct Statistics: Sendable, Equatable {
        /// Examples given.
        public var examples = 0
        /// Examples with fewer than two tokens (nothing to predict), left out.
        public var skippedExamples = 0
        /// Examples longer than a row: cut under `truncate`, split under `pack`.
        public var overlongExamples = 0
        /// Tokens dropped by `truncate`.
        public var truncatedTokens = 0
        /// Scored targets over all rows: what the loss is averaged over.
        public var scoredTokens = 0
        /// Rows left out because none of their targets is scored (a prompt cut off before its
        /// completion): a batch of them would train on nothing and log a loss of 0.
        public var unscoredRows = 0
    }

    /// Positions per row (the model's T, `max_seq_len`).
    public let time: Int
    /// How the rows were built.
    public let policy: SequencePolicy
    /// Input id of padding positions.
    public let padID: Int32
    /// What building did.
    public private(set) var statistics = Statistics()
    private(set) var inputs: [Int32] = []
    private(set) var targets: [Int32] = []
    private(set) var positions: [Int32] = []
    private(set) var segments: [Int32] = []
    private(set) var scoredPerRow: [Int] = []

    /// Number of rows.
    public var rowCount: Int { scoredPerRow.count }

    /// Builds the rows.
    /// - Complexity: O(total tokens).
    /// - Throws: `DatasetError.invalidSetting` for `maxSeqLen` outside 1...2^24.
    public init(examples: [TokenizedExample], maxSeqLen: Int, policy: SequencePolicy, padID: Int32) throws {
        guard (1...(1 << 24)).contains(maxSeqLen) else {
            throw DatasetError.invalidSetting(key: "max_seq_len", reason: "\(maxSeqLen) is not in 1...\(1 << 24)")
        }
        time = maxSeqLen
        self.policy = policy
        self.padID = padID
        var used = 0  // positions filled in the open row (pack)
        var segment: Int32 = 0
        for example in examples {
            statistics.examples += 1
            let count = min(example.ids.count, example.scored.count)
            guard count >= 2 else {
                statistics.skippedExamples += 1
                continue
            }
            let pairs = count - 1
            if pairs > time { statistics.overlongExamples += 1 }
            switch policy {
            case .truncate:
                statistics.truncatedTokens += max(0, pairs - time)
                openRow()
                append(example, pairs: 0..<min(pairs, time), segment: 0)
                closeRow(used: min(pairs, time), segment: 0)
            case .pack:
                var start = 0
                while start < pairs {
                    let length = min(pairs - start, time)
                    if used + length > time {
                        closeRow(used: used, segment: segment)
                        used = 0
                    }
                    if used == 0 {
                        openRow()
                        segment = 0
                    }
                    append(example, pairs: start..<(start + length), segment: segment)
                    used += length
                    segment += 1
                    start += length
                }
            }
        }
        if policy == .pack, used > 0 { closeRow(used: used, segment: segment) }
    }

    /// One row's arrays (each `time` long), for inspection and tests.
    public func row(_ index: Int) -> (inputs: ArraySlice<Int32>, targets: ArraySlice<Int32>,
                                      positions: ArraySlice<Int32>, segments: ArraySlice<Int32>, scored: Int)? {
        guard scoredPerRow.indices.contains(index) else { return nil }
        let range = (index * time)..<((index + 1) * time)
        return (inputs[range], targets[range], positions[range], segments[range], scoredPerRow[index])
    }

    /// A batch of the given rows, in order, padded with unscored rows up to `batchSize`. Positions
    /// and segments are left nil under `truncate` (one example per row, at its start), which the
    /// model reads as 0..<T and a single example.
    func batch(rows: ArraySlice<Int>, batchSize: Int) -> (tokens: TokenBatch, scored: Int) {
        let count = batchSize * time
        var batchInputs: [Int32] = [], batchTargets: [Int32] = [], batchPositions: [Int32] = []
        var batchSegments: [Int32] = []
        batchInputs.reserveCapacity(count)
        batchTargets.reserveCapacity(count)
        batchPositions.reserveCapacity(count)
        batchSegments.reserveCapacity(count)
        var scored = 0
        for row in rows {
            let range = (row * time)..<((row + 1) * time)
            batchInputs.append(contentsOf: inputs[range])
            batchTargets.append(contentsOf: targets[range])
            batchPositions.append(contentsOf: positions[range])
            batchSegments.append(contentsOf: segments[range])
            scored += scoredPerRow[row]
        }
        let missing = count - batchInputs.count
        batchInputs.append(contentsOf: repeatElement(padID, count: missing))
        batchTargets.append(contentsOf: repeatElement(CrossEntropy.ignoreIndex, count: missing))
        for _ in 0..<(missing / time) { batchPositions.append(contentsOf: 0..<Int32(time)) }
        batchSegments.append(contentsOf: repeatElement(0, count: missing))
        let packed = policy == .pack
        let tokens = TokenBatch(batch: batchSize, time: time, inputs: batchInputs, targets: batchTargets,
                                positions: packed ? batchPositions : nil, segments: packed ? batchSegments : nil)
        return (tokens, scored)
    }

    private mutating func openRow() { scoredPerRow.append(0) }

    /// Appends pairs `range` of `example` (input i, target i + 1) as one segment, positions from 0.
    private mutating func append(_ example: TokenizedExample, pairs range: Range<Int>, segment: Int32) {
        var scored = 0
        for (offset, i) in range.enumerated() {
            inputs.append(example.ids[i])
            if example.scored[i + 1] {
                targets.append(example.ids[i + 1])
                scored += 1
            } else {
                targets.append(CrossEntropy.ignoreIndex)
            }
            positions.append(Int32(offset))
            segments.append(segment)
        }
        scoredPerRow[scoredPerRow.count - 1] += scored
        statistics.scoredTokens += scored
    }

    /// Pads the open row from `used` to `time` with unscored positions: under `pack` in a segment
    /// of their own with positions from 0, under `truncate` continuing the example's positions
    /// (what nil positions and segments in the batch mean).
    private mutating func closeRow(used: Int, segment: Int32) {
        let padding = time - used
        inputs.append(contentsOf: repeatElement(padID, count: padding))
        targets.append(contentsOf: repeatElement(CrossEntropy.ignoreIndex, count: padding))
        switch policy {
        case .pack:
            positions.append(contentsOf: 0..<Int32(padding))
            segments.append(contentsOf: repeatElement(segment, count: padding))
        case .truncate:
            positions.append(contentsOf: Int32(used)..<Int32(time))
            segments.append(contentsOf: repeatElement(0, count: padding))
        }
        if scoredPerRow.last == 0 { dropLastRow() }
    }

    private mutating func dropLastRow() {
        let start = (scoredPerRow.count - 1) * time
        inputs.removeSubrange(start...)
        targets.removeSubrange(start...)
        positions.removeSubrange(start...)
        segments.removeSubrange(start...)
        scoredPerRow.removeLast()
        statistics.unscoredRows += 1
    }
}
