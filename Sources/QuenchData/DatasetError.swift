/// Errors reading, tokenizing and batching training data. Each case names the file, line and key
/// (or setting) involved and what was expected, so a user can fix the dataset without guessing.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// A format name outside the closed registry.
    case unknownFormat(name: String, known: [String])
    /// A sequence policy name outside the closed registry.
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// A line longer than the reader accepts (a hostile or non-JSONL file).
    case lineTooLong(file: String, line: Int, limit: Int)
    /// A line that is not valid JSON.
    case notJSON(file: String, line: Int, reason: String)
    /// A line that is JSON but not an object.
    case notAnObject(file: String, line: Int, found: String)
    /// The first record's keys match no format.
    case undetectableFormat(file: String, line: Int, keys: [String])
    /// The first record's keys match several formats; the format must be set explicitly.
    case ambiguousFormat(file: String, line: Int, formats: [String])
    /// A key the format requires is absent.
    case missingKey(file: String, line: Int, key: String, format: String)
    /// A key holds the wrong JSON type.
    case wrongType(file: String, line: Int, key: String, expected: String)
    /// A chat message with a role the chat templates do not render.
    case unknownRole(file: String, line: Int, key: String, role: String, known: [String])
    /// The file holds no records.
    case empty(file: String)
    /// No record of the set has a token the loss is computed on, so its loss would read 0.
    case noScoredTokens(set: String, maxSeqLen: Int)
    /// The chat format needs a chat template and the model has none.
    case noChatTemplate
    /// The tokenizer failed on a record.
    case tokenization(file: String, line: Int, reason: String)
    /// A data setting (max_seq_len, batch size, validation_split, ...) is out of range.
    case invalidSetting(key: String, reason: String)
    /// A saved data cursor does not fit this dataset (it was saved for other data or settings).
    case invalidCursor(epoch: Int, position: Int, reason: String)

    public var description: String {
        switch self {
        case .unknownFormat(let name, let known):
            return "unknown dataset format '\(name)'; known formats: \(known.joined(separator: ", "))"
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .lineTooLong(let file, let line, let limit):
            return "\(file):\(line): line is longer than \(limit) bytes; is this a JSONL file (one JSON object per line)?"
        case .notJSON(let file, let line, let reason):
            return "\(file):\(line): not valid JSON (\(reason)); each line must hold one JSON object"
        case .notAnObject(let file, let line, let found):
            return "\(file):\(line): expected a JSON object, found \(found)"
        case .undetectableFormat(let file, let line, let keys):
            return "\(file):\(line): cannot tell the dataset format from keys [\(keys.joined(separator: ", "))]; "
                + "expected 'text', 'prompt' and 'completion', or 'messages'"
        case .ambiguousFormat(let file, let line, let formats):
            return "\(file):\(line): keys fit several formats (\(formats.joined(separator: ", "))); set the format explicitly"
        case .missingKey(let file, let line, let key, let format):
            return "\(file):\(line): missing key '\(key)' required by the \(format) format"
        case .wrongType(let file, let line, let key, let expected):
            return "\(file):\(line): key '\(key)' must be \(expected)"
        case .unknownRole(let file, let line, let key, let role, let known):
            return "\(file):\(line): key '\(key)' has unknown role '\(role)'; known roles: \(known.joined(separator: ", "))"
        case .empty(let file):
            return "\(file): holds no records"
        case .noScoredTokens(let set, let maxSeqLen):
            return "\(set): no record has a token to learn from (every completion or assistant reply is empty, "
                + "or cut off at max_seq_len \(maxSeqLen)); its loss would read 0 while nothing is learned"
        case .noChatTemplate:
            return "the chat format needs the model's chat template, and the model has none; "
                + "use the prompt_completion or text format"
        case .tokenization(let file, let line, let reason):
            return "\(file):\(line): cannot tokenize: \(reason)"
        case .invalidSetting(let key, let reason):
            return "data setting '\(key)': \(reason)"
        case .invalidCursor(let epoch, let position, let reason):
            return "data cursor (epoch \(epoch), position \(position)) does not fit this dataset: \(reason)"
        }
    }
}
