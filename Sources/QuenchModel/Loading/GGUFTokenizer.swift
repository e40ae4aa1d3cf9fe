import QuenchTokenizer
/// Builds the byte-level BPE tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata.
public enum GGUFTokenizer {
    /// The tokenizer, or nil when the file has no `tokenizer.ggml.tokens`.
    /// - Throws: `ModelError` naming the file and the `tokenizer.ggml.*` key at fault.
    public static func tokenizer(from gguf: GGUFFile, file: String) throws -> BPETokenizer? {
        guard let tokenValue = gguf.metadata["tokenizer.ggml.tokens"] else { return nil }
        func optional<T>(_ key: String, _ read: (GGUFValue) -> T?, _ expected: String) throws -> T? {
            try gguf.value(key, read, expected, file: file)
        }
        let kind = try optional("tokenizer.ggml.model", \.string, "a string") ?? "gpt2"
        guard kind == "gpt2" else {
            throw ModelError.invalidValue(
                file: file, key: "tokenizer.ggml.model",
                reason: "'\(kind)' tokenizers are not supported; Quench reads byte-level BPE ('gpt2')")
        }
        guard let tokens = tokenValue.strings else {
            throw ModelError.wrongType(file: file, key: "tokenizer.ggml.tokens", expected: "an array of strings")
        }
        let merges = try optional("tokenizer.ggml.merges", \.strings, "an array of strings") ?? []
        let types = try optional("tokenizer.ggml.token_type", \.ints, "an array of integers")?.enumerated().map { id, type in
            guard let narrow = Int32(exactly: type) else {
                throw ModelError.invalidValue(
                    file: file, key: "tokenizer.ggml.token_type", reason: "token \(id) has type \(type); expected 0...6")
            }
            return narrow
        }
        let pre = try optional("tokenizer.ggml.pre", \.string, "a string") ?? "default"
        let bos = try optional("tokenizer.ggml.bos_token_id", \.int, "an integer")
        let eos = try optional("tokenizer.ggml.eos_token_id", \.int, "an integer")
        do {
            return try BPETokenizer(
                tokens: tokens, merges: merges, tokenTypes: types, preTokenizer: PreTokenizer.fromGGUF(pre),
                bosTokenID: bos, eosTokenID: eos, addedTokens: nil)
        } catch let error as TokenizerError {
            throw ModelError.invalidValue(file: file, key: metadataKey(of: error), reason: error.description)
        }
    }

    /// The metadata key whose value a tokenizer-building error comes from.
    static func metadataKey(of error: TokenizerError) -> String {
        switch error {
        case .tokenTypeCountMismatch, .invalidTokenType: return "tokenizer.ggml.token_type"
        case .malformedMerge, .mergeTokenNotInVocabulary: return "tokenizer.ggml.merges"
        case .specialTokenIDOutOfRange(let name, _, _):
            return name == "BOS" ? "tokenizer.ggml.bos_token_id" : "tokenizer.ggml.eos_token_id"
        case .unknownPreTokenizer: return "tokenizer.ggml.pre"
        default: return "tokenizer.ggml.tokens"
        }
    }
}
