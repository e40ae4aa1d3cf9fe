/// A byte-level BPE tokenizer (GPT-2, SmolLM, Llama 3 family), built from plain vocabulary data so
/// any file format (GGUF, tokenizer.json) can feed it. Immutable, so it can be shared across tasks.
public final class BPETokenizer: Sendable {
    /// GGUF's token types (`tokenizer.ggml.token_type`); 0 (undefined) reads as normal.
    public enum TokenType: Int32, Sendable {
        case normal = 1, unknown = 2, control = 3, userDefined = 4, unused = 5, byte = 6
    }

    /// The splitting rule applied to text before merging.
    public let preTokenizer: PreTokenizer
    /// Beginning-of-sequence token, added by `encode(_:addBOS: true)`.
    public let bosTokenID: Int?
    /// End-of-sequence token, where generation stops.
    public let eosTokenID: Int?
    /// Whether a piece that is itself a token is emitted whole, skipping the merges.
    public let ignoresMerges: Bool

    let tokens: [String]
    let types: [TokenType]
    let idForToken: [String: Int]
    /// The bytes each id decodes to: the byte-level spelling for normal tokens, the literal UTF-8
    /// text for special and added tokens.
    let tokenBytes: [[UInt8]]
    let special: [Bool]
    let merges: MergeTable
    /// The single-byte token for each byte value, where BPE starts; -1 where the vocabulary has
    /// none (SmolLM2 lacks 21 bytes, e.g. 0x04 and 0xF5...0xFF): such bytes are dropped on encode.
    let idForByte: [Int32]
    let specialTokens: SpecialTokenMatcher

    /// Builds a tokenizer from plain data, validating it all up front so encoding cannot fail later.
    /// - Parameters:
    ///   - tokens: the vocabulary; a token's id is its index.
    ///   - merges: `"a b"` pairs in rank order (first merges first).
    ///   - tokenTypes: GGUF types (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte), one per token.
    ///     Unknown, control and user-defined tokens are matched whole in text; control and unknown
    ///     ones are special (`isSpecial`, skipped by `decode(skipSpecialTokens: true)`).
    ///   - addedTokens: more tokens matched whole in text. With `tokenTypes` nil they are also special.
    ///   - ignoreMerges: nil means the pre-tokenizer's default (`PreTokenizer.ignoresMerges`).
    public init(
        tokens: [String], merges: [String], tokenTypes: [Int32]?, preTokenizer: PreTokenizer,
        bosTokenID: Int?, eosTokenID: Int?, addedTokens: [String]?, ignoreMerges: Bool? = nil
    ) throws {
        let types = try Self.validatedTypes(tokenTypes, tokenCount: tokens.count)
        var idForToken: [String: Int] = [:]
        idForToken.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            if let first = idForToken.updateValue(id, forKey: token) {
                throw TokenizerError.duplicateToken(token: token, firstID: first, secondID: id)
            }
        }
        for (name, id) in [("BOS", bosTokenID), ("EOS", eosTokenID)] {
            if let id, !tokens.indices.contains(id) {
                throw TokenizerError.specialTokenIDOutOfRange(name: name, id: id, vocabularySize: tokens.count)
            }
        }
        var matchedWhole = types.map { $0 == .unknown || $0 == .control || $0 == .userDefined }
        var special = types.map { $0 == .unknown || $0 == .control }
        for token in addedTokens ?? [] {
            guard let id = idForToken[token] else { throw TokenizerError.addedTokenNotInVocabulary(token: token) }
            matchedWhole[id] = true
            if tokenTypes == nil { special[id] = true }
        }
        let idForByte = (0...255).map { byte in
            idForToken[ByteLevel.tokenText(for: [UInt8(byte)])].map { Int32($0) } ?? -1
        }
        self.tokens = tokens
        self.types = types
        self.idForToken = idForToken
        self.tokenBytes = tokens.indices.map { id in
            matchedWhole[id] ? Array(tokens[id].utf8) : ByteLevel.bytes(ofTokenText: tokens[id])
        }
        self.special = special
        self.merges = try MergeTable(merges: merges, idForToken: idForToken)
        self.idForByte = idForByte
        self.specialTokens = SpecialTokenMatcher(
            tokens: tokens.indices.filter { matchedWhole[$0] }.map { (Array(tokens[$0].utf8), $0) })
        self.preTokenizer = preTokenizer
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.ignoresMerges = ignoreMerges ?? preTokenizer.ignoresMerges
    }

    private static func validatedTypes(_ tokenTypes: [Int32]?, tokenCount: Int) throws -> [TokenType] {
        guard let tokenTypes else { return Array(repeating: .normal, count: tokenCount) }
        guard tokenTypes.count == tokenCount else {
            throw TokenizerError.tokenTypeCountMismatch(tokens: tokenCount, tokenTypes: tokenTypes.count)
        }
        return try tokenTypes.enumerated().map { id, raw in
            if raw == 0 { return .normal }
            guard let type = TokenType(rawValue: raw) else { throw TokenizerError.invalidTokenType(id: id, value: raw) }
            return type
        }
    }

    /// Number of tokens; valid ids are `0..<vocabularySize`.
    public var vocabularySize: Int { tokens.count }

    /// The id of a token's exact text (byte-level spelling for normal tokens, e.g. "Ġthe").
    public func id(of token: String) -> Int? { idForToken[token] }

    /// The text of a token as the vocabulary spells it, or nil for an id outside the vocabulary.
    public func token(for id: Int) -> String? { tokens.indices.contains(id) ? tokens[id] : nil }

    /// The bytes a token stands for in decoded text (useful when streaming, where a character may span tokens).
    public func bytes(for id: Int) -> [UInt8]? { tokenBytes.indices.contains(id) ? tokenBytes[id] : nil }

    /// The GGUF type of a token, or nil for an id outside the vocabulary.
    public func tokenType(for id: Int) -> TokenType? { types.indices.contains(id) ? types[id] : nil }

    /// Whether a token is special (control or unknown): never produced from plain text by BPE and
    /// dropped by `decode(skipSpecialTokens: true)`.
    public func isSpecial(_ id: Int) -> Bool { special.indices.contains(id) && special[id] }
}
