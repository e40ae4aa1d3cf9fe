import Foundation
import QuenchGate
import QuenchModel

/// The model a fine-tuning run produced: LoRA adapters in PEFT's layout, applied to the base in
/// memory, or a whole model (full fine-tuning: a Hugging Face directory or a GGUF file).
public enum TunedModel: Sendable, Equatable {
    case adapter(URL)
    case model(URL)

    /// The path given.
    public var url: URL {
        switch self {
        case .adapter(let url), .model(let url): return url
        }
    }

    /// The tuned model of `kind` at `url`.
    public init(_ kind: TunedModelKind, at url: URL) {
        switch kind {
        case .adapter: self = .adapter(url)
        case .model: self = .model(url)
        }
    }

    /// Adapter or whole model, as reports name it.
    public var kind: TunedModelKind {
        switch self {
        case .adapter: return .adapter
        case .model: return .model
        }
    }

    /// The adapter's files (config and weights), which the verdict depends on.
    public static func adapterFiles(_ directory: URL) -> [URL] {
        [directory.appendingPathComponent(PEFTAdapterFormat.configFile),
         directory.appendingPathComponent(PEFTAdapterFormat.weightsFile)]
    }

    /// Checks the files are there before any work starts.
    /// - Throws: `EvalError.unreadable` naming the missing file.
    public func check() throws {
        let paths: [URL]
        switch self {
        case .adapter(let directory): paths = Self.adapterFiles(directory)
        case .model(let location): paths = [location]
        }
        for path in paths where !FileManager.default.fileExists(atPath: path.path) {
            throw EvalError.unreadable(file: path.path, reason: "no such file (expected the tuned \(kind.rawValue) here)")
        }
    }
}
