import Foundation

/// What `quench inspect` reports about a model: architecture, size, stored types, tokenizer and files.
public struct ModelSummary: Codable, Sendable {
    /// One file of the model, with its SHA-256.
    public struct File: Codable, Sendable {
        public let path: String
        public let bytes: Int
        public let sha256: String
    }

    /// The tokenizer the model files carry.
    public struct Tokenizer: Codable, Sendable {
        public let kind: String
        public let vocabularySize: Int
        public let preTokenizer: String
        public let bosTokenID: Int?
        public let eosTokenID: Int?
    }

    public let location: String
    public let format: String
    public let files: [File]
    public let config: ModelConfig
    public let parameterCount: Int
    public let storedTypes: [String: Int]
    public let tokenizer: Tokenizer?
    public let chatTemplate: String?

    /// Summarises `bundle`; `sha256` gives the digest of each of its files.
    public init(bundle: ModelBundle, sha256: (URL) throws -> String) throws {
        location = bundle.location.path
        format = bundle.format.rawValue
        files = try bundle.files.map { url in
            let size = ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
            return File(path: url.path, bytes: size, sha256: try sha256(url))
        }
        config = bundle.model.config
        parameterCount = bundle.model.parameterCount
        storedTypes = bundle.storedTypes
        tokenizer = bundle.tokenizer.map {
            Tokenizer(kind: "byte-level BPE", vocabularySize: $0.vocabularySize, preTokenizer: $0.preTokenizer.rawValue,
                      bosTokenID: $0.bosTokenID, eosTokenID: $0.eosTokenID)
        }
        chatTemplate = bundle.chatTemplate.map { template in
            switch template {
            case .chatML: return "ChatML"
            case .llama3: return "Llama 3"
            }
        }
    }

    /// Aligned lines for people.
    public func rendered() -> String {
        let c = config
        var lines = [
            "model         \(location)",
            "format        \(format)",
            "architecture  \(c.architecture.rawValue) (\(c.modelType)): \(c.layers) layers, hidden \(c.hiddenSize), "
                + "MLP \(c.intermediateSize), \(c.heads) heads (\(c.keyValueHeads) key/value), head size \(c.headSize)",
            "vocabulary    \(c.vocabularySize), context \(c.maxPositions)"
                + (c.architecture == .llama ? ", rope theta \(c.ropeTheta)" : "")
                + (c.tiedEmbeddings ? ", tied embeddings" : ""),
            "parameters    \(parameterCount.formatted())",
            "stored types  " + storedTypes.sorted { $0.value > $1.value }.map { "\($0.key) ×\($0.value)" }
                .joined(separator: ", "),
        ]
        if let t = tokenizer {
            lines.append("tokenizer     \(t.kind), \(t.vocabularySize) tokens, pre-tokenizer \(t.preTokenizer), "
                         + "bos \(t.bosTokenID.map(String.init) ?? "none"), eos \(t.eosTokenID.map(String.init) ?? "none")")
        } else {
            lines.append("tokenizer     none in these files")
        }
        lines.append("chat template \(chatTemplate ?? "none")")
        for file in files {
            lines.append("file          \(file.path) (\(file.bytes.formatted()) bytes)")
            lines.append("  sha256      \(file.sha256)")
        }
        return lines.joined(separator: "\n")
    }
}
