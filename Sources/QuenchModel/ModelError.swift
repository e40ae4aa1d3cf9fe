import Foundation

/// Errors raised while reading model configurations and weights, naming the file, key or tensor.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case missingKey(file: String, key: String)
    case wrongType(file: String, key: String, expected: String)
    case invalidValue(file: String, key: String, reason: String)
    case unsupportedArchitecture(file: String, found: String, known: [String])
    case missingTensor(file: String, tensor: String)
    case tensorShape(file: String, tensor: String, expected: [Int], found: [Int])
    case nonFinite(file: String, tensor: String, index: Int)
    /// The weights hold a tensor the configuration gives no place to: computing without it could be wrong.
    case unreadTensor(file: String, tensor: String, reason: String)
    /// Buffers sized by a setting or a file need more memory than the machine has (`bytes` nil:
    /// the size overflows); `lower` names the settings that shrink them.
    case exceedsMemory(what: String, bytes: Int?, available: Int, lower: String)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read: \(reason)"
        case .missingKey(let file, let key):
            return "\(file): missing key '\(key)'"
        case .wrongType(let file, let key, let expected):
            return "\(file): key '\(key)' should be \(expected)"
        case .invalidValue(let file, let key, let reason):
            return "\(file): key '\(key)': \(reason)"
        case .unsupportedArchitecture(let file, let found, let known):
            return "\(file): architecture '\(found)' is not supported; Quench knows \(known.joined(separator: ", "))"
        case .missingTensor(let file, let tensor):
            return "\(file): tensor '\(tensor)' is missing"
        case .tensorShape(let file, let tensor, let expected, let found):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        case .nonFinite(let file, let tensor, let index):
            return "\(file): tensor '\(tensor)' holds NaN or infinity at element \(index)"
        case .unreadTensor(let file, let tensor, let reason):
            return "\(file): tensor '\(tensor)' is not used by this model's configuration: \(reason)"
        case .exceedsMemory(let what, let bytes, let available, let lower):
            let needed = bytes.map(Self.gigabytes) ?? "more than \(Self.gigabytes(Int.max)) (its size overflows)"
            return "\(what) needs \(needed) of memory but only \(Self.gigabytes(available)) is available; lower \(lower)"
        }
    }

    private static func gigabytes(_ bytes: Int) -> String {
        String(format: "%.1f GB", Double(bytes) / 1e9)
    }
}
