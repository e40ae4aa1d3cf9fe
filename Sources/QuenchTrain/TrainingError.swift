/// Errors of the training stage: bad configuration, data, checkpoints; each names what to fix.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    case invalidSetting(key: String, reason: String)

    public var description: String {
        switch self {
        case .invalidSetting(let key, let reason): return "training setting '\(key)': \(reason)"
        }
    }
}
