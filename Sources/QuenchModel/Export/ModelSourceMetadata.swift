/// What a model's files say about it besides its weights, tokenizer and chat template, kept so an
/// export carries it on: GGUF's `general.*` description, and the tokenizer's padding and unknown
/// tokens and whether it adds a space prefix.
public struct ModelSourceMetadata: Sendable, Equatable {
    /// One metadata entry, as GGUF stores it.
    public struct Entry: Sendable, Equatable {
        public let key: String
        public let value: GGUFValue
    }

    /// The GGUF source's `general.*` entries in file order, without those describing how that file
    /// was encoded (`generalKeysNotKept`); empty for a Hugging Face source.
    public var general: [Entry] = []
    /// `tokenizer.ggml.add_space_prefix` of a GGUF source.
    public var addSpacePrefix: Bool?
    /// The padding token: `tokenizer.ggml.padding_token_id`, or `pad_token` of tokenizer_config.json.
    public var padTokenID: Int?
    /// The unknown token: `tokenizer.ggml.unknown_token_id`, or `unk_token` of tokenizer_config.json.
    public var unknownTokenID: Int?

    /// Keys that say how a GGUF file itself was written, which an export sets anew.
    public static let generalKeysNotKept: Set<String> = [
        "general.architecture", "general.file_type", "general.quantization_version", "general.alignment",
    ]

    /// No metadata.
    public init() {}

    /// The metadata of `gguf` (named `file` in errors).
    /// - Throws: `ModelError` naming the key of a value of the wrong type, or a token id outside
    ///   the tokenizer's `vocabularySize`.
    public init(gguf: GGUFFile, file: String, vocabularySize: Int) throws {
        general = gguf.metadataKeys.filter { $0.hasPrefix("general.") && !Self.generalKeysNotKept.contains($0) }
            .compactMap { key in gguf.metadata[key].map { Entry(key: key, value: $0) } }
        addSpacePrefix = try gguf.value("tokenizer.ggml.add_space_prefix", \.bool, "a boolean", file: file)
        func tokenID(_ key: String) throws -> Int? {
            guard let id = try gguf.value(key, \.int, "an integer", file: file) else { return nil }
            guard id >= 0, id < vocabularySize else {
                throw ModelError.invalidValue(
                    file: file, key: key, reason: "token id \(id) is outside the vocabulary of \(vocabularySize) tokens")
            }
            return id
        }
        padTokenID = try tokenID("tokenizer.ggml.padding_token_id")
        unknownTokenID = try tokenID("tokenizer.ggml.unknown_token_id")
    }

    /// `general.license`, when the source names one.
    public var license: String? { generalString("general.license") }

    /// The string value of `general.*` entry `key`.
    public func generalString(_ key: String) -> String? { general.first { $0.key == key }?.value.string }
}

extension GGUFFile {
    /// The value of metadata entry `key` read by `read`, or nil when the file has no such key.
    /// - Throws: `ModelError.wrongType` naming `file`, the key and `expected` when `read` gives nil.
    func value<T>(_ key: String, _ read: (GGUFValue) -> T?, _ expected: String, file: String) throws -> T? {
        guard let value = metadata[key] else { return nil }
        guard let typed = read(value) else { throw ModelError.wrongType(file: file, key: key, expected: expected) }
        return typed
    }
}
