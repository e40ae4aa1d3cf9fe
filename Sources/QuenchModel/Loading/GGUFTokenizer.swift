/// Builds the byte-level BPE tokenizer a GGUF file describes in its `tokenizer.ggml.*` metadata.
public enum GGUFTokenizer {
    /// The tokenizer, or nil when the file has no `tokenizer.ggml.tokens`.
    public static func tokenizer(from gguf: GGUFFile, file: String) throws -> BPETokenizer? {
        guard let tokenValue = gguf.metadata["tokenizer.ggml.tokens"] else { return nil }
        let kind = gguf.metadata["tokenizer.ggml.model"]?.string ?? "gpt2"
        guard kind == "gpt2" else {
            throw ModelError.invalidValue(
                file: file, key: "tokenizer.ggml.model",
                reason: "'\(kind)' tokenizers are not supported; Quench reads byte-level BPE ('gpt2')")
        }
        guard let tokens = tokenValue.strings else {
            throw ModelError.wrongType(file: file, key: "tokenizer.ggml.tokens", expected: "an array of strings")
        }
        let merges = gguf.metadata["tokenizer.ggml.merges"]?.strings ?? []
        let types = gguf.metadata["tokenizer.ggml.token_type"]?.ints?.map { Int32(truncatingIfNeeded: $0) }
        let pre = gguf.metadata["tokenizer.ggml.pre"]?.string ?? "default"
        return try BPETokenizer(
            tokens: tokens, merges: merges, tokenTypes: types, preTokenizer: PreTokenizer.fromGGUF(pre),
            bosTokenID: gguf.metadata["tokenizer.ggml.bos_token_id"]?.int,
            eosTokenID: gguf.metadata["tokenizer.ggml.eos_token_id"]?.int, addedTokens: nil)
    }
}
