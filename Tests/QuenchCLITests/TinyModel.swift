import Foundation
@testable import QuenchTokenizer

/// tiny-llama from ../shared/fixtures as a Hugging Face directory the runner can train: its config
/// and weights plus a byte-level tokenizer (256 tokens, one per byte, no merges), which fits its
/// 256-token vocabulary.
enum TinyModel {
    static let fixtures: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.appendingPathComponent("shared/fixtures")
    }()

    /// Writes the directory under `folder` and returns it.
    static func make(in folder: URL) throws -> URL {
        let directory = folder.appendingPathComponent("tiny-llama")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("tiny-llama/\(name)"),
                                             to: directory.appendingPathComponent(name))
        }
        var vocabulary: [String: Int] = [:]
        for (byte, character) in byteCharacters() { vocabulary[String(character)] = Int(byte) }
        let tokenizer: [String: Any] = [
            "version": "1.0",
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true, "trim_offsets": false],
            "model": ["type": "BPE", "vocab": vocabulary, "merges": [String]()],
        ]
        try JSONSerialization.data(withJSONObject: tokenizer, options: [.sortedKeys])
            .write(to: directory.appendingPathComponent("tokenizer.json"))
        return directory
    }

    /// GPT-2's printable stand-in for each byte.
    private static func byteCharacters() -> [(UInt8, Character)] {
        let printable = Set(Array(33...126) + Array(161...172) + Array(174...255))
        var mapping: [(UInt8, Character)] = []
        var extra = 0
        for byte in 0...255 {
            if printable.contains(byte) {
                mapping.append((UInt8(byte), Character(Unicode.Scalar(UInt32(byte))!)))
            } else {
                mapping.append((UInt8(byte), Character(Unicode.Scalar(UInt32(256 + extra))!)))
                extra += 1
            }
        }
        return mapping
    }

    /// `count` prompt/completion records of simple arithmetic, deterministic.
    static func writeData(_ url: URL, count: Int, offset: Int = 0) throws {
        let lines = (offset..<(offset + count)).map { i in
            #"{"prompt": "\#(i)+\#(i)=", "completion": "\#(2 * i)."}"#
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
    }

    /// What a tiny-llama job spec needs in `folder`: the model, train.jsonl (60 records), valid.jsonl
    /// (12 others) and gate.yaml, a gate the trained adapter passes and the base model does not.
    static func writeJob(in folder: URL) throws {
        _ = try make(in: folder)
        try writeData(folder.appendingPathComponent("train.jsonl"), count: 60)
        try writeData(folder.appendingPathComponent("valid.jsonl"), count: 12, offset: 500)
        try Data("""
            windowing: disjoint
            context: 64
            sets:
              - {name: held-out, path: valid.jsonl, format: prompt_completion, role: task}
            thresholds: {max_perplexity: 250, max_loss: 5.5, min_improvement: 0.02, min_tokens: 10}
            """.utf8).write(to: folder.appendingPathComponent("gate.yaml"))
    }
}
