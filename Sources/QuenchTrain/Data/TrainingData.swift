import Foundation
import QuenchData

/// Where the training data comes from and how it is cut into rows: the data half of a training config.
public struct DataOptions: Sendable, Equatable {
    /// The training JSONL file.
    public var trainingFile: URL
    /// A separate validation JSONL file; when nil, `validationSplit` of the training records is held out.
    public var validationFile: URL?
    /// Fraction in [0, 1) of the training records held out for validation when there is no validation file.
    public var validationSplit: Double
    /// The record layout, or nil to detect it from the first record's keys.
    public var format: DatasetFormat?
    /// Positions per row (T).
    public var maxSeqLen: Int
    /// How examples become rows.
    public var policy: SequencePolicy
    /// Seed of the validation split (the batch shuffle takes its own seed).
    public var seed: UInt64

    /// Creates options; defaults: no validation, auto-detected format, packing, seed 0.
    public init(trainingFile: URL, validationFile: URL? = nil, validationSplit: Double = 0,
                format: DatasetFormat? = nil, maxSeqLen: Int, policy: SequencePolicy = .pack, seed: UInt64 = 0) {
        self.trainingFile = trainingFile
        self.validationFile = validationFile
        self.validationSplit = validationSplit
        self.format = format
        self.maxSeqLen = maxSeqLen
        self.policy = policy
        self.seed = seed
    }
}

/// Training and validation rows ready for batching, with the fingerprints of the files they came from.
public struct TrainingData: Sendable {
    /// The training rows.
    public let training: SequenceSet
    /// The validation rows, or nil when there is no validation data.
    public let validation: SequenceSet?
    /// The training file's fingerprint.
    public let trainingFingerprint: DatasetFingerprint
    /// The validation file's fingerprint, when it is a separate file.
    public let validationFingerprint: DatasetFingerprint?

    /// Reads, tokenizes, splits and builds rows as `options` say.
    /// - Throws: `DatasetError` naming the file, line, key or setting at fault; `.noScoredTokens` for
    ///   a set without a single token to learn from.
    public static func prepare(_ options: DataOptions, tokenizer: ExampleTokenizer) throws -> TrainingData {
        let dataset = try TokenizedDataset.load(options.trainingFile, format: options.format, tokenizer: tokenizer)
        func rows(_ examples: [TokenizedExample], of set: String) throws -> SequenceSet {
            let rows = try SequenceSet(examples: examples, maxSeqLen: options.maxSeqLen, policy: options.policy,
                                       padID: tokenizer.padID)
            guard rows.statistics.scoredTokens > 0 else {
                throw DatasetError.noScoredTokens(set: set, maxSeqLen: options.maxSeqLen)
            }
            return rows
        }
        let trainingName = options.trainingFile.lastPathComponent
        if let validationFile = options.validationFile {
            guard options.validationSplit == 0 else {
                throw DatasetError.invalidSetting(key: "validation_split",
                                                  reason: "give a validation file or a split, not both")
            }
            let validation = try TokenizedDataset.load(validationFile, format: dataset.fingerprint.format,
                                                       tokenizer: tokenizer)
            return TrainingData(training: try rows(dataset.examples, of: trainingName),
                                validation: try rows(validation.examples, of: validationFile.lastPathComponent),
                                trainingFingerprint: dataset.fingerprint,
                                validationFingerprint: validation.fingerprint)
        }
        let split = try dataset.split(validationFraction: options.validationSplit, seed: options.seed)
        return TrainingData(training: try rows(split.training, of: trainingName),
                            validation: split.validation.isEmpty ? nil
                                : try rows(split.validation, of: "the validation split of \(trainingName)"),
                            trainingFingerprint: dataset.fingerprint, validationFingerprint: nil)
    }
}
