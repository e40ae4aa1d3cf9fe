/// Errors raised while building or using a tokenizer or a chat template; each names the token, id,
/// key or file involved and what was expected, so a user can tell which file is wrong and how.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// `tokenTypes` must hold one entry per token.
    case tokenTypeCountMismatch(tokens: Int, tokenTypes: Int)
    /// A token type outside GGUF's 0...6 (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte).
    case invalidTokenType(id: Int, value: Int32)
    /// Two ids carry the same token text, so text could not map back to one id.
    case duplicateToken(token: String, firstID: Int, secondID: Int)
    /// A merge rule is not two tokens separated by one space.
    case malformedMerge(rank: Int, merge: String)
    /// A merge rule names a token (or produces one) that the vocabulary does not hold.
    case mergeTokenNotInVocabulary(rank: Int, merge: String, token: String)
    /// An added token is not in the vocabulary.
    case addedTokenNotInVocabulary(token: String)
    /// A BOS/EOS id lies outside the vocabulary.
    case specialTokenIDOutOfRange(name: String, id: Int, vocabularySize: Int)
    /// A BOS/EOS token named by text is not in the vocabulary.
    case specialTokenNotInVocabulary(name: String, token: String)
    /// `encode(addBOS: true)` on a tokenizer that has no BOS token.
    case noBOSToken
    /// `decode` was given an id outside the vocabulary.
    case invalidTokenID(id: Int, vocabularySize: Int)
    /// A pre-tokenizer name (GGUF `tokenizer.ggml.pre`) or tokenizer.json pre_tokenizer this code does not implement.
    case unknownPreTokenizer(name: String, known: [String])
    /// tokenizer.json could not be read or parsed.
    case unreadableTokenizerJSON(path: String, reason: String)
    /// tokenizer.json is valid JSON but a key is missing or has the wrong shape.
    case malformedTokenizerJSON(path: String, key: String, expected: String)
    /// A value of tokenizer.json, at `key`, is present but cannot be used (an id out of range, a merge
    /// naming a token the vocabulary lacks).
    case invalidTokenizerJSON(path: String, key: String, reason: String)
    /// tokenizer.json describes something other than a byte-level BPE this code implements.
    case unsupportedTokenizerJSON(path: String, key: String, found: String, supported: String)
    /// A chat template this code does not implement.
    case unknownChatTemplate(excerpt: String, known: [String])

    public var description: String {
        switch self {
        case .tokenTypeCountMismatch(let tokens, let tokenTypes):
            return "tokenizer has \(tokens) tokens but \(tokenTypes) token types; expected one type per token"
        case .invalidTokenType(let id, let value):
            return "token \(id) has type \(value); expected 0...6 (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte)"
        case .duplicateToken(let token, let firstID, let secondID):
            return "token \(String(reflecting: token)) appears twice, at ids \(firstID) and \(secondID)"
        case .malformedMerge(let rank, let merge):
            return "merge \(rank) is \(String(reflecting: merge)); expected two tokens separated by one space"
        case .mergeTokenNotInVocabulary(let rank, let merge, let token):
            return "merge \(rank) (\(String(reflecting: merge))) needs token \(String(reflecting: token)), which is not in the vocabulary"
        case .addedTokenNotInVocabulary(let token):
            return "added token \(String(reflecting: token)) is not in the vocabulary"
        case .specialTokenIDOutOfRange(let name, let id, let vocabularySize):
            return "\(name) token id \(id) is outside the vocabulary 0..<\(vocabularySize)"
        case .specialTokenNotInVocabulary(let name, let token):
            return "\(name) token \(String(reflecting: token)) is not in the vocabulary"
        case .noBOSToken:
            return "a BOS token was requested but this tokenizer has no BOS token id"
        case .invalidTokenID(let id, let vocabularySize):
            return "token id \(id) is outside the vocabulary 0..<\(vocabularySize)"
        case .unknownPreTokenizer(let name, let known):
            return "unknown pre-tokenizer \(String(reflecting: name)); known: \(known.joined(separator: ", "))"
        case .unreadableTokenizerJSON(let path, let reason):
            return "cannot read tokenizer.json at \(path): \(reason)"
        case .malformedTokenizerJSON(let path, let key, let expected):
            return "\(path): key '\(key)' is missing or malformed; expected \(expected)"
        case .invalidTokenizerJSON(let path, let key, let reason):
            return "\(path): key '\(key)': \(reason)"
        case .unsupportedTokenizerJSON(let path, let key, let found, let supported):
            return "\(path): '\(key)' is \(found); supported: \(supported)"
        case .unknownChatTemplate(let excerpt, let known):
            return "unrecognised chat template starting \(String(reflecting: excerpt)); known: \(known.joined(separator: ", "))"
        }
    }
}
