/// Errors of a training run: settings that cannot work, checkpoints that do not fit; each says what to do.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case invalidSetting(key: String, reason: String)
    case configChanged(checkpoint: String, expected: String, found: String)
    case nothingToResume(directory: String)
    case writeFailed(path: String, reason: String)
    case noTokenizer(model: String)
    /// A checkpoint file (the `latest` pointer or a checkpoint's state) that cannot be used.
    case invalidCheckpoint(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSetting(let key, let reason):
            return "training setting '\(key)': \(reason)"
        case .configChanged(let checkpoint, let expected, let found):
            return "\(checkpoint) was written with training config \(expected.prefix(12)), but this config hashes to "
                + "\(found.prefix(12)); resume with the original config, or pass --force to continue anyway"
        case .nothingToResume(let directory):
            return "no checkpoint in \(directory) to resume from; run without --resume to start"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .noTokenizer(let model):
            return "\(model) carries no tokenizer; training data cannot be tokenized"
        case .invalidCheckpoint(let path, let reason):
            return "\(path): not a usable checkpoint: \(reason)"
        }
    }
}
