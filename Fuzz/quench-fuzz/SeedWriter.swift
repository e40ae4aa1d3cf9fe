import Foundation
import QuenchModel

/// Writes the seeds that are not plain fixture files: GGUF models exported from the tiny reference
/// models, and a small real tokenizer (the first 256 tokens of SmolLM2's) as GGUF metadata and as
/// tokenizer.json. Small seeds keep every execution fast; the fuzzer grows them from there.
enum SeedWriter {
    /// When set, the fuzzer binary writes the generated seeds into this folder and exits.
    static let environmentKey = "QUENCH_FUZZ_WRITE_SEEDS"
    /// The reference fixtures folder (tiny-llama/, tiny-gpt2/).
    static let fixturesKey = "QUENCH_FIXTURES"

    enum Problem: Error, CustomStringConvertible {
        case missingSetting(String)
        var description: String {
            switch self {
            case .missingSetting(let key): return "set \(key) to the reference fixtures folder"
            }
        }
    }

    /// Writes `gguf/*.gguf` and `tokenizer-json/*.json` under `folder`; the tokenizer seeds only when
    /// the demo model is present.
    static func write(into folder: URL) throws {
        guard let fixtures = ProcessInfo.processInfo.environment[fixturesKey] else {
            throw Problem.missingSetting(fixturesKey)
        }
        let ggufFolder = folder.appendingPathComponent("gguf")
        let tokenizerFolder = folder.appendingPathComponent("tokenizer-json")
        for created in [ggufFolder, tokenizerFolder] {
            try FileManager.default.createDirectory(at: created, withIntermediateDirectories: true)
        }
        let llama = try ModelBundle.open(URL(fileURLWithPath: fixtures).appendingPathComponent("tiny-llama"))
        let gpt2 = try ModelBundle.open(URL(fileURLWithPath: fixtures).appendingPathComponent("tiny-gpt2"))
        let exports: [(ModelBundle, GGUFWriter.ElementType, String)] = [
            (llama, .f32, "tiny-llama-f32"), (llama, .f16, "tiny-llama-f16"), (gpt2, .f16, "tiny-gpt2-f16"),
        ]
        for (bundle, type, name) in exports {
            try replace(ggufFolder.appendingPathComponent("\(name).gguf")) {
                try GGUFExporter.write(bundle, to: $0, type: type)
            }
        }
        guard FileManager.default.fileExists(atPath: DemoModel.url.path) else { return }
        let demo = try GGUFFile(contentsOf: DemoModel.url)
        let tokenizerMetadata = try smallTokenizer(from: demo, size: llama.model.config.vocabularySize)
        let withTokenizer = ggufFolder.appendingPathComponent("tiny-llama-tokenizer.gguf")
        try replace(withTokenizer) {
            try rewrite(ggufFolder.appendingPathComponent("tiny-llama-f16.gguf"), adding: tokenizerMetadata, to: $0)
        }
        let gguf = try GGUFFile(contentsOf: withTokenizer)
        if let tokenizer = try GGUFTokenizer.tokenizer(from: gguf, file: withTokenizer.lastPathComponent) {
            try replace(tokenizerFolder.appendingPathComponent("small.json")) { try tokenizer.tokenizerJSON().write(to: $0) }
        }
    }

    /// The first `size` tokens of `gguf`'s tokenizer with the merges among them, its types, pre-tokenizer,
    /// special token ids that fit, and its chat template.
    private static func smallTokenizer(from gguf: GGUFFile, size: Int) throws -> [(String, GGUFValue)] {
        let tokens = Array((gguf.metadata["tokenizer.ggml.tokens"]?.strings ?? []).prefix(size))
        let kept = Set(tokens)
        let merges = (gguf.metadata["tokenizer.ggml.merges"]?.strings ?? []).filter { merge in
            let parts = merge.split(separator: " ", omittingEmptySubsequences: false)
            return parts.count == 2 && kept.contains(String(parts[0])) && kept.contains(String(parts[1]))
                && kept.contains(String(parts[0] + parts[1]))
        }
        let types = Array((gguf.metadata["tokenizer.ggml.token_type"]?.array ?? []).prefix(size))
        var entries: [(String, GGUFValue)] = [
            ("tokenizer.ggml.model", .string("gpt2")),
            ("tokenizer.ggml.tokens", .array(tokens.map { .string($0) })),
            ("tokenizer.ggml.merges", .array(merges.map { .string($0) })),
            ("tokenizer.ggml.token_type", .array(types)),
        ]
        for key in ["tokenizer.ggml.pre", "tokenizer.chat_template"] {
            if let value = gguf.metadata[key] { entries.append((key, value)) }
        }
        for key in ["tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"] {
            if let value = gguf.metadata[key], let id = value.int, id < size { entries.append((key, value)) }
        }
        return entries
    }

    /// Writes a copy of the GGUF file at `source` with `extra` metadata (replacing keys it already has).
    private static func rewrite(_ source: URL, adding extra: [(String, GGUFValue)], to destination: URL) throws {
        let gguf = try GGUFFile(contentsOf: source)
        let replaced = Set(extra.map(\.0))
        let kept = gguf.metadataKeys.filter { !replaced.contains($0) && $0 != "general.alignment" }
        let metadata = kept.compactMap { key in gguf.metadata[key].map { (key, $0) } } + extra
        let tensors = try gguf.tensors.map { info in
            GGUFWriter.Tensor(name: info.name, shape: info.shape, type: info.shape.count == 1 ? .f32 : .f16,
                              values: try gguf.dequantize(info.name))
        }
        try GGUFWriter.write(metadata: metadata, tensors: tensors, to: destination, alignment: gguf.alignment)
    }

    /// Removes `url` if present, then runs `write` (the exporters refuse to overwrite).
    private static func replace(_ url: URL, _ write: (URL) throws -> Void) throws {
        try? FileManager.default.removeItem(at: url)
        try write(url)
    }
}
