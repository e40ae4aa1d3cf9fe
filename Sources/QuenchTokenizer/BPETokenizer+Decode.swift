extension BPETokenizer {
    /// Turns ids back into text: the tokens' bytes are joined, then read as UTF-8 with each invalid
    /// sequence replaced by U+FFFD (a cut-off multi-byte character at the end included).
    /// - Throws: `TokenizerError.invalidTokenID` for an id outside the vocabulary.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids {
            guard tokenBytes.indices.contains(id) else {
                throw TokenizerError.invalidTokenID(id: id, vocabularySize: tokenBytes.count)
            }
            if skipSpecialTokens && special[id] { continue }
            bytes.append(contentsOf: tokenBytes[id])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
