/// Errors writing a model out.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    case destinationExists(path: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .destinationExists(let path):
            return "\(path) already exists; choose a new --out or remove it first"
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
