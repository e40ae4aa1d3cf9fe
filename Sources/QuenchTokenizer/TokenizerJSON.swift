import Foundation

/// The parts of a Hugging Face tokenizer.json that a byte-level BPE tokenizer needs.
struct TokenizerJSON: Decodable {
    struct AddedToken: Decodable {
        let id: Int
        let content: String
        let special: Bool?
    }

    /// A merge written either as `"a b"` or as `["a", "b"]`.
    struct Merge: Decodable {
        let text: String

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
            } else {
                let pair = try container.decode([String].self)
                guard pair.count == 2 else {
                    throw DecodingError.dataCorruptedError(in: container, debugDescription: "a merge pair has \(pair.count) elements")
                }
                self.text = pair[0] + " " + pair[1]
            }
        }
    }

    struct Model: Decodable {
        let type: String?
        let vocab: [String: Int]
        let merges: [Merge]
        let ignoreMerges: Bool?
        let byteFallback: Bool?
        let continuingSubwordPrefix: String?
        let endOfWordSuffix: String?

        enum CodingKeys: String, CodingKey {
            case type, vocab, merges
            case ignoreMerges = "ignore_merges"
            case byteFallback = "byte_fallback"
            case continuingSubwordPrefix = "continuing_subword_prefix"
            case endOfWordSuffix = "end_of_word_suffix"
        }
    }

    /// One node of the pre_tokenizer tree (only the fields the known pre-tokenizers use).
    struct PreTokenizerNode: Decodable {
        struct Pattern: Decodable {
            let regex: String?
            let string: String?
            enum CodingKeys: String, CodingKey { case regex = "Regex", string = "String" }
        }

        let type: String
        let pretokenizers: [PreTokenizerNode]?
        let pattern: Pattern?
        let behavior: String?
        let invert: Bool?
        let individualDigits: Bool?
        let useRegex: Bool?
        let addPrefixSpace: Bool?

        enum CodingKeys: String, CodingKey {
            case type, pretokenizers, pattern, behavior, invert
            case individualDigits = "individual_digits"
            case useRegex = "use_regex"
            case addPrefixSpace = "add_prefix_space"
        }
    }

    /// Only its type matters: any normalizer is unsupported.
    struct Normalizer: Decodable { let type: String }

    let addedTokens: [AddedToken]?
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizerNode?
    let model: Model

    enum CodingKeys: String, CodingKey {
        case addedTokens = "added_tokens", normalizer
        case preTokenizer = "pre_tokenizer", model
    }
}

extension TokenizerJSON.PreTokenizerNode {
    /// The pre-tokenizer this tree describes, if it is one of the known shapes.
    var preTokenizer: PreTokenizer? {
        let parts = type == "Sequence" ? pretokenizers ?? [] : [self]
        if parts.count == 1, parts[0].isByteLevel(useRegex: true) { return .gpt2 }
        guard parts.count == 2, let first = parts.first, let last = parts.last else { return nil }
        if first.type == "Digits", first.individualDigits == true, last.isByteLevel(useRegex: true) { return .smollm }
        if first.type == "Split", first.behavior == "Isolated", first.invert != true,
           let regex = first.pattern?.regex, last.isByteLevel(useRegex: false) {
            return [PreTokenizer.llama3, .qwen2, .gpt2].first { $0.regex == regex }
        }
        return nil
    }

    private func isByteLevel(useRegex: Bool) -> Bool {
        type == "ByteLevel" && (self.useRegex ?? true) == useRegex && addPrefixSpace != true
    }

    /// A one-line sketch of the tree for error messages, e.g. `Sequence[Digits, ByteLevel]`.
    var summary: String {
        switch type {
        case "Sequence": return "Sequence[" + (pretokenizers ?? []).map(\.summary).joined(separator: ", ") + "]"
        case "Split": return "Split(\(String(reflecting: pattern?.regex ?? pattern?.string ?? "")))"
        case "ByteLevel": return "ByteLevel(use_regex: \(useRegex ?? true), add_prefix_space: \(addPrefixSpace ?? false))"
        case "Digits": return "Digits(individual_digits: \(individualDigits ?? false))"
        default: return type
        }
    }

    /// The shapes `preTokenizer` recognises, for error messages.
    static let knownShapes = [
        "ByteLevel(use_regex: true) → gpt2",
        "Sequence[Digits(individual_digits: true), ByteLevel(use_regex: true)] → smollm",
        "Sequence[Split(Llama 3 regex), ByteLevel(use_regex: false)] → llama3",
        "Sequence[Split(Qwen 2 regex), ByteLevel(use_regex: false)] → qwen2",
        "Sequence[Split(GPT-2 regex), ByteLevel(use_regex: false)] → gpt2",
    ]
}
