extension TokenizerJSON {
    /// `error`, thrown while building a tokenizer from this tokenizer.json at `path`, located at the key
    /// holding the value at fault (`model.merges[0]`, `added_tokens[3]`), as GGUF errors name their
    /// metadata key; errors that name no value of the file come back unchanged.
    func locate(_ error: TokenizerError, path: String) -> TokenizerError {
        let key: String
        switch error {
        case .malformedMerge(let rank, _), .mergeTokenNotInVocabulary(let rank, _, _):
            key = "model.merges[\(rank)]"
        case .duplicateToken(let token, _, let secondID):
            key = addedTokenKey { $0.id == secondID } ?? "model.vocab[\(String(reflecting: token))]"
        case .addedTokenNotInVocabulary(let token):
            key = addedTokenKey { $0.content == token } ?? "added_tokens"
        default:
            return error
        }
        return .invalidTokenizerJSON(path: path, key: key, reason: error.description)
    }

    /// `added_tokens[i]` for the first added token matching `predicate`.
    private func addedTokenKey(where predicate: (AddedToken) -> Bool) -> String? {
        (addedTokens ?? []).firstIndex(where: predicate).map { "added_tokens[\($0)]" }
    }
}
