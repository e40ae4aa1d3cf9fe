import Foundation

extension TinyModel {
    /// The `model.sha256` flow mapping that pins every file of `folder`/tiny-llama the model loader
    /// reads (a local model must pin each of them), e.g. `{config.json: …, model.safetensors: …}`.
    static func pins(in folder: URL) throws -> String {
        let directory = folder.appendingPathComponent("tiny-llama")
        let read: Set<String> = ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors.index.json"]
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { read.contains($0) || $0.hasSuffix(".safetensors") }.sorted()
        let pins = try names.map { "\($0): \(try RegistryCommandTests.Workspace.sha256(directory.appendingPathComponent($0)))" }
        return "{" + pins.joined(separator: ", ") + "}"
    }

}
