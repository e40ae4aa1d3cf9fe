import Foundation

/// The files a job bundle is made from in the bundle tests: `model-src/` (a two-file "model":
/// `config.json` and a 4 KiB `model.safetensors`), `train.jsonl` and `valid.jsonl`.
public enum BundleSourceFolder {
    /// A fresh temporary folder holding the files; the caller removes it.
    public static func create() throws -> URL {
        let folder = try TemporaryDirectory.create("bundle")
        let model = folder.appendingPathComponent("model-src")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("{\"model_type\": \"llama\"}".utf8).write(to: model.appendingPathComponent("config.json"))
        try Data(repeating: 7, count: 4096).write(to: model.appendingPathComponent("model.safetensors"))
        try Data("{\"text\": \"hello\"}\n".utf8).write(to: folder.appendingPathComponent("train.jsonl"))
        try Data("{\"text\": \"held out\"}\n".utf8).write(to: folder.appendingPathComponent("valid.jsonl"))
        return folder
    }
}
