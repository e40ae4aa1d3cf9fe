import Foundation
import QuenchRandom

/// A JSONL dataset read and tokenized in one streaming pass: only token ids and loss masks stay in
/// memory, never the file's text.
public struct TokenizedDataset: Sendable {
    /// The examples in file order, one per record.
    public let examples: [TokenizedExample]
    /// The file's hash, record count and format.
    public let fingerprint: DatasetFingerprint

    /// Creates a dataset from examples already tokenized.
    public init(examples: [TokenizedExample], fingerprint: DatasetFingerprint) {
        self.examples = examples
        self.fingerprint = fingerprint
    }

    /// Reads and tokenizes `url`.
    /// - Parameter format: the record layout, or nil to detect it from the first record's keys.
    /// - Throws: `DatasetError` naming the file, line and key of the first bad record.
    public static func load(_ url: URL, format: DatasetFormat?, tokenizer: ExampleTokenizer) throws -> TokenizedDataset {
        if format == .chat, tokenizer.chatTemplate == nil { throw DatasetError.noChatTemplate }
        var examples: [TokenizedExample] = []
        let read = try JSONLDataset.forEachRecord(in: url, format: format) { record, location in
            do {
                examples.append(try tokenizer.tokenize(record))
            } catch let error as DatasetError {
                throw error
            } catch {
                throw DatasetError.tokenization(file: location.file, line: location.line, reason: "\(error)")
            }
        }
        let fingerprint = try DatasetFingerprint(url: url, records: read.records, format: read.format)
        return TokenizedDataset(examples: examples, fingerprint: fingerprint)
    }

    /// Splits off a validation set: `fraction` of the examples (rounded, at least one when the
    /// fraction is positive, never all), chosen by a permutation fixed by `seed`. Both parts keep
    /// file order, so the split depends only on the data and the seed.
    /// - Throws: `DatasetError.invalidSetting` for a fraction outside [0, 1) or too few examples.
    public func split(validationFraction fraction: Double, seed: UInt64) throws
        -> (training: [TokenizedExample], validation: [TokenizedExample]) {
        guard fraction >= 0, fraction < 1 else {
            throw DatasetError.invalidSetting(key: "validation_split", reason: "\(fraction) is not in [0, 1)")
        }
        guard fraction > 0 else { return (examples, []) }
        guard examples.count >= 2 else {
            throw DatasetError.invalidSetting(
                key: "validation_split",
                reason: "\(examples.count) record(s) cannot be split into training and validation")
        }
        let count = min(max(Int((fraction * Double(examples.count)).rounded()), 1), examples.count - 1)
        let chosen = SeededShuffle.permutation(count: examples.count, seed: seed, stream: .max).prefix(count)
        var isValidation = [Bool](repeating: false, count: examples.count)
        for index in chosen { isValidation[index] = true }
        var training: [TokenizedExample] = []
        var validation: [TokenizedExample] = []
        training.reserveCapacity(examples.count - count)
        validation.reserveCapacity(count)
        for (index, example) in examples.enumerated() {
            if isValidation[index] { validation.append(example) } else { training.append(example) }
        }
        return (training, validation)
    }
}
