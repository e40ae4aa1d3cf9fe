import Foundation

/// tiny-llama from ../shared/fixtures as a Hugging Face directory text can run through: its config
/// and weights plus a byte-level tokenizer.json (256 tokens, one per byte, no merges), which fits its
/// 256-token vocabulary.
public enum TinyLlamaFixture {
    /// Writes `folder`/tiny-llama and returns it.
    public static func copy(into folder: URL) throws -> URL {
        let model = folder.appendingPathComponent("tiny-llama")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: SharedFixtures.url("tiny-llama/\(name)"), to: model.appendingPathComponent(name))
        }
        let vocabulary = Dictionary(uniqueKeysWithValues: ByteLevelVocabulary.tokens.enumerated().map { ($0.element, $0.offset) })
        let tokenizer: [String: Any] = [
            "version": "1.0", "added_tokens": [Any](), "normalizer": NSNull(),
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocabulary, "merges": [String](), "ignore_merges": false],
        ]
        try JSONSerialization.data(withJSONObject: tokenizer, options: [.sortedKeys])
            .write(to: model.appendingPathComponent("tokenizer.json"))
        return model
    }
}
