extension BPETokenizer {
    /// The ids that end a generated answer: EOS, and for a prompt rendered with `chatTemplate` that
    /// template's end-of-turn token (when the vocabulary has them).
    public func answerEndIDs(chatTemplate: ChatTemplate?) -> Set<Int> {
        var ids = Set([eosTokenID].compactMap { $0 })
        if let template = chatTemplate, let end = id(of: template.endOfTurnToken) { ids.insert(end) }
        return ids
    }
}
