import Foundation
@testable import QuenchModel
import QuenchTensor
import Testing
@testable import QuenchTokenizer
@testable import QuenchRandom

/// `../shared/fixtures`, the demo model, and small models and files built in temp directories.
enum EvalFixtures {
    static let directory: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }()

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    /// SmolLM2-135M-Instruct fetched by `make setup`; when absent, the calling test is
    /// cancelled, which the test report shows as skipped, never as passed.
    static func smolLM2() throws -> URL {
        guard FileManager.default.fileExists(atPath: DemoModel.url.path) else {
            try Test.cancel("SmolLM2-135M-Instruct is not at \(DemoModel.url.path); run `make setup` to fetch it")
        }
        return DemoModel.url
    }

    /// A fresh temporary directory; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quench-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// tiny-llama (vocabulary 256) copied into `directory` with a byte-level tokenizer.json whose
    /// 256 tokens are the 256 bytes, so text runs through the whole pipeline on a 2-layer model.
    static func tinyLlamaWithByteTokenizer(in directory: URL) throws -> URL {
        let model = directory.appendingPathComponent("tiny-llama")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: url("tiny-llama/\(name)"), to: model.appendingPathComponent(name))
        }
        var vocab: [String: Int] = [:]
        for byte in 0...255 { vocab[ByteLevel.tokenText(for: [UInt8(byte)])] = byte }
        let json: [String: Any] = [
            "model": ["type": "BPE", "vocab": vocab, "merges": [String]()],
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
        ]
        try JSONSerialization.data(withJSONObject: json).write(to: model.appendingPathComponent("tokenizer.json"))
        return model
    }

    /// `count` token ids in 0..<256 from a fixed seed.
    static func tokens(_ count: Int, seed: UInt64 = 7) -> [Int32] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int32(generator.next() % 256) }
    }
}
