import Foundation

/// The tokenizer written back out: its vocabulary as data, and as a Hugging Face tokenizer.json
/// that the `tokenizers` library (and so transformers) loads.
extension BPETokenizer {
    /// Every token's text, by id.
    public var vocabulary: [String] { tokens }

    /// GGUF token types, by id.
    public var tokenTypeCodes: [Int32] { types.map(\.rawValue) }

    /// The merge rules as `"left right"`, first merge first.
    public var mergeRules: [String] { merges.rulesInRankOrder(tokens: tokens) }

    /// The tokenizer as a tokenizer.json document.
    public func tokenizerJSON() throws -> Data {
        let added: [[String: Any]] = tokens.indices.filter { matchedWhole($0) }.map { id in
            ["id": id, "content": tokens[id], "single_word": false, "lstrip": false, "rstrip": false,
             "normalized": false, "special": special[id]]
        }
        var vocabulary: [String: Int] = [:]
        for (id, token) in tokens.enumerated() { vocabulary[token] = id }
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                                        "use_regex": true]
        let document: [String: Any] = [
            "version": "1.0",
            "truncation": NSNull(), "padding": NSNull(), "normalizer": NSNull(),
            "added_tokens": added,
            "pre_tokenizer": preTokenizer.tokenizerJSONNode,
            "post_processor": byteLevel.merging(["trim_offsets": false]) { $1 },
            "decoder": byteLevel,
            "model": [
                "type": "BPE", "dropout": NSNull(), "unk_token": NSNull(), "continuing_subword_prefix": NSNull(),
                "end_of_word_suffix": NSNull(), "fuse_unk": false, "byte_fallback": false,
                "ignore_merges": ignoresMerges, "vocab": vocabulary,
                "merges": mergeRules.map { rule -> [String] in
                    let bytes = Array(rule.utf8)
                    let space = bytes.indices.dropFirst().first { bytes[$0] == 0x20 } ?? 0
                    return [String(decoding: bytes[..<space], as: UTF8.self),
                            String(decoding: bytes[(space + 1)...], as: UTF8.self)]
                },
            ] as [String: Any],
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
    }

    /// Whether token `id` is matched whole in text (special and added tokens).
    private func matchedWhole(_ id: Int) -> Bool {
        types[id] == .unknown || types[id] == .control || types[id] == .userDefined
    }
}

extension PreTokenizer {
    /// This pre-tokenizer as a tokenizer.json `pre_tokenizer` node (the shapes `TokenizerJSON` reads back).
    var tokenizerJSONNode: [String: Any] {
        let byteLevel: [String: Any] = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true,
                                        "use_regex": true]
        switch self {
        case .gpt2:
            return byteLevel
        case .smollm:
            return ["type": "Sequence", "pretokenizers": [
                ["type": "Digits", "individual_digits": true], byteLevel,
            ]]
        case .llama3, .qwen2:
            return ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false],
                byteLevel.merging(["use_regex": false]) { $1 },
            ]]
        }
    }
}
