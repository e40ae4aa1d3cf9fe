import Foundation
import QuenchModel

extension TinyModel {
    /// The `model.sha256` flow mapping that pins every file of `folder`/tiny-llama the model loader
    /// reads (a local model must pin each of them), e.g. `{config.json: …, model.safetensors: …}`.
    static func pins(in folder: URL) throws -> String {
        let files = try ModelBundle.filesRead(in: folder.appendingPathComponent("tiny-llama"))
        let pins = try files.map { "\($0.lastPathComponent): \(try RegistryCommandTests.Workspace.sha256($0))" }
        return "{" + pins.joined(separator: ", ") + "}"
    }
}
