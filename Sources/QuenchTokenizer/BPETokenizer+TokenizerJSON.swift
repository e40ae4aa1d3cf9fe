import Foundation
import QuenchFiles

extension BPETokenizer {
    /// Reads a Hugging Face tokenizer.json holding a byte-level BPE model. Added tokens are matched
    /// whole in text (special ones are also `isSpecial`); their lstrip/rstrip flags are not applied.
    /// tokenizer.json does not name BOS/EOS (tokenizer_config.json does), so pass them by text.
    /// `data` is the file's bytes, read by the caller (the model bundle, which checks them); `path`
    /// names the file in errors.
    public convenience init(tokenizerJSON data: Data, path: String, bosToken: String? = nil,
                            eosToken: String? = nil) throws {
        let file: TokenizerJSON
        do {
            file = try JSONDecoder().decode(TokenizerJSON.self, from: data)
        } catch let error as DecodingError {
            throw Self.describe(error, path: path, data: data)
        } catch {
            throw TokenizerError.unreadableTokenizerJSON(path: path, reason: error.localizedDescription)
        }
        let model = file.model
        if let type = model.type, type != "BPE" {
            throw TokenizerError.unsupportedTokenizerJSON(path: path, key: "model.type", found: type, supported: "BPE")
        }
        if model.byteFallback == true {
            throw TokenizerError.unsupportedTokenizerJSON(
                path: path, key: "model.byte_fallback", found: "true", supported: "false (byte-level BPE)")
        }
        for (key, value) in [("model.continuing_subword_prefix", model.continuingSubwordPrefix),
                             ("model.end_of_word_suffix", model.endOfWordSuffix)] {
            if let value, !value.isEmpty {
                throw TokenizerError.unsupportedTokenizerJSON(path: path, key: key, found: String(reflecting: value), supported: "null or \"\"")
            }
        }
        if let normalizer = file.normalizer {
            throw TokenizerError.unsupportedTokenizerJSON(path: path, key: "normalizer", found: normalizer.type, supported: "null")
        }
        guard let node = file.preTokenizer, let preTokenizer = node.preTokenizer else {
            let unknown = TokenizerError.unknownPreTokenizer(name: file.preTokenizer?.summary ?? "null",
                                                             known: TokenizerJSON.PreTokenizerNode.knownShapes)
            throw TokenizerError.invalidTokenizerJSON(path: path, key: "pre_tokenizer", reason: unknown.description)
        }
        let (tokens, types) = try Self.denseVocabulary(model.vocab, added: file.addedTokens ?? [], path: path)
        func resolve(_ name: String, _ token: String?) throws -> Int? {
            guard let token else { return nil }
            guard let id = tokens.firstIndex(of: token) else {
                throw TokenizerError.specialTokenNotInVocabulary(name: name, token: token)
            }
            return id
        }
        do {
            try self.init(
                tokens: tokens, merges: model.merges.map(\.text), tokenTypes: types, preTokenizer: preTokenizer,
                bosTokenID: resolve("BOS", bosToken), eosTokenID: resolve("EOS", eosToken), addedTokens: nil,
                ignoreMerges: model.ignoreMerges ?? false)
        } catch let error as TokenizerError {
            throw file.locate(error, path: path)
        }
    }

    /// The vocabulary as an id-indexed array (model.vocab plus added_tokens, which may lie past
    /// it), with GGUF token types: special added tokens control, other added tokens user-defined.
    private static func denseVocabulary(
        _ vocab: [String: Int], added: [TokenizerJSON.AddedToken], path: String
    ) throws -> (tokens: [String], types: [Int32]) {
        var entries = vocab.map { (id: $0.value, token: $0.key, type: TokenType.normal, key: "model.vocab[\(String(reflecting: $0.key))]") }
        entries += added.enumerated().map {
            (id: $1.id, token: $1.content, type: $1.special == true ? .control : .userDefined, key: "added_tokens[\($0)].id")
        }
        // Every id is checked before any arithmetic on it: dense ids lie in 0..<entries.count.
        for entry in entries where !(0..<entries.count).contains(entry.id) {
            throw TokenizerError.invalidTokenizerJSON(
                path: path, key: entry.key,
                reason: "id \(entry.id) is out of range 0..<\(entries.count) (one id per vocabulary entry and added token)")
        }
        let count = (entries.map(\.id).max() ?? -1) + 1
        var tokens = [String?](repeating: nil, count: count)
        var types = [Int32](repeating: TokenType.normal.rawValue, count: count)
        for entry in entries {
            if let existing = tokens[entry.id], existing != entry.token {
                throw TokenizerError.malformedTokenizerJSON(
                    path: path, key: "id \(entry.id)",
                    expected: "one token per id, found \(String(reflecting: existing)) and \(String(reflecting: entry.token))")
            }
            tokens[entry.id] = entry.token
            if entry.type != .normal { types[entry.id] = entry.type.rawValue }
        }
        guard let missing = tokens.firstIndex(where: { $0 == nil }) else {
            return (tokens.compactMap { $0 }, types)
        }
        throw TokenizerError.malformedTokenizerJSON(path: path, key: "model.vocab", expected: "ids 0..<\(count) without gaps; id \(missing) is missing")
    }

    private static func describe(_ error: DecodingError, path: String, data: Data) -> TokenizerError {
        func key(_ codingPath: [CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let missing, let context):
            return .malformedTokenizerJSON(path: path, key: key(context.codingPath + [missing]), expected: "a value")
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            return .malformedTokenizerJSON(path: path, key: key(context.codingPath), expected: "\(type)")
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? .unreadableTokenizerJSON(path: path, reason: JSONErrorText.problem(in: data) {
                    (try? JSONDecoder().decode(TokenizerJSON.self, from: $0)) == nil
                } ?? context.debugDescription)
                : .malformedTokenizerJSON(path: path, key: key(context.codingPath), expected: context.debugDescription)
        @unknown default:
            return .unreadableTokenizerJSON(path: path, reason: "\(error)")
        }
    }
}
