import QuenchModel
import QuenchData
import QuenchRandom

/// Where a run is in its data: the epoch and the next row of that epoch's order. Saved in
/// checkpoints so a resumed run continues with exactly the batches it would have seen.
public struct DataCursor: Codable, Equatable, Sendable {
    /// Passes completed over the training rows.
    public var epoch: Int
    /// Index, in this epoch's shuffled order, of the next row to serve.
    public var position: Int

    /// A cursor at `position` of `epoch`.
    public init(epoch: Int, position: Int) {
        self.epoch = epoch
        self.position = position
    }

    /// The beginning of training.
    public static let start = DataCursor(epoch: 0, position: 0)
}

/// One batch served by a `BatchIterator`.
public struct DataBatch: Sendable, Equatable {
    /// The rows, ready for the model; rows past the end of an epoch are padding (all unscored).
    public let tokens: TokenBatch
    /// Scored targets in the batch: the loss's denominator.
    public let scoredTokens: Int
    /// The epoch the rows came from.
    public let epoch: Int
    /// Indices of the rows in the `SequenceSet`, in batch order (fewer than B at an epoch's end).
    public let rows: [Int]
}

/// Serves batches of B rows forever, epoch after epoch, each epoch in an order fixed by the seed
/// and the epoch number, so the sequence of batches is a pure function of (rows, B, seed, cursor).
/// An epoch's last batch is topped up with unscored padding rows, so every row is seen exactly
/// once per epoch and every batch has the workspace's shape.
public struct BatchIterator: Sendable {
    /// The rows served.
    public let sequences: SequenceSet
    /// Rows per batch (B).
    public let batchSize: Int
    /// Seed of the per-epoch shuffles.
    public let seed: UInt64
    /// Whether epochs are shuffled (off: file order, e.g. for evaluation).
    public let shuffles: Bool
    /// Where the next batch starts; save it to resume.
    public private(set) var cursor: DataCursor
    private var order: [Int]

    /// Batches per epoch, the last one possibly topped up with padding rows.
    public var batchesPerEpoch: Int { (sequences.rowCount + batchSize - 1) / batchSize }

    /// An iterator starting at `cursor` (`.start` for a new run, a saved one to resume).
    /// - Throws: `DatasetError.invalidSetting` for an empty row set or `batchSize` < 1;
    ///   `.invalidCursor` for a cursor outside this data.
    public init(sequences: SequenceSet, batchSize: Int, seed: UInt64, shuffles: Bool = true,
                cursor: DataCursor = .start) throws {
        guard batchSize >= 1 else {
            throw DatasetError.invalidSetting(key: "batch_size", reason: "\(batchSize) is not at least 1")
        }
        guard sequences.rowCount > 0 else {
            throw DatasetError.invalidSetting(key: "dataset", reason: "no example has two or more tokens to train on")
        }
        guard cursor.epoch >= 0, (0...sequences.rowCount).contains(cursor.position) else {
            throw DatasetError.invalidCursor(epoch: cursor.epoch, position: cursor.position,
                                             reason: "an epoch here has \(sequences.rowCount) rows")
        }
        self.sequences = sequences
        self.batchSize = batchSize
        self.seed = seed
        self.shuffles = shuffles
        self.cursor = cursor
        self.order = []
        self.order = rowOrder(epoch: cursor.epoch)
    }

    /// The order rows are served in during `epoch`.
    public func rowOrder(epoch: Int) -> [Int] {
        guard shuffles else { return Array(0..<sequences.rowCount) }
        return SeededShuffle.permutation(count: sequences.rowCount, seed: seed, stream: UInt64(epoch))
    }

    /// The next batch; moves to the next epoch (and its shuffle) when the current one is used up.
    public mutating func next() -> DataBatch {
        if cursor.position >= sequences.rowCount {
            cursor = DataCursor(epoch: cursor.epoch + 1, position: 0)
            order = rowOrder(epoch: cursor.epoch)
        }
        let end = min(cursor.position + batchSize, sequences.rowCount)
        let rows = order[cursor.position..<end]
        let (tokens, scored) = sequences.batch(rows: rows, batchSize: batchSize)
        let batch = DataBatch(tokens: tokens, scoredTokens: scored, epoch: cursor.epoch, rows: Array(rows))
        cursor.position = end
        return batch
    }
}

extension SequenceSet {
    /// Every row once, in order, in batches of `batchSize` (the last topped up with padding rows):
    /// the pass evaluation makes over a validation set.
    public func forEachBatch(batchSize: Int, _ body: (DataBatch) throws -> Void) throws {
        guard batchSize >= 1 else {
            throw DatasetError.invalidSetting(key: "batch_size", reason: "\(batchSize) is not at least 1")
        }
        var start = 0
        while start < rowCount {
            let end = min(start + batchSize, rowCount)
            let rows = Array(start..<end)
            let (tokens, scored) = batch(rows: rows[...], batchSize: batchSize)
            try body(DataBatch(tokens: tokens, scoredTokens: scored, epoch: 0, rows: rows))
            start = end
        }
    }
}
