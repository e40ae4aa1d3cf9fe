import ArgumentParser
import Foundation
import QuenchFiles
import QuenchSecurity
import QuenchModel

/// `--model`, shared by the commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "A .gguf file or a Hugging Face directory (config.json + safetensors). Default: the demo model fetched by `make setup`.",
        valueName: "path"))
    var model: String?

    var url: URL { model.map { URL(fileURLWithPath: $0) } ?? DemoModel.url }

    /// Opens the model, or fails with a message that says how to get the demo model.
    func open() throws -> ModelBundle {
        if model == nil, !FileManager.default.fileExists(atPath: url.path) {
            throw ValidationError("no --model given and the demo model is not at \(url.path); run `make setup` to fetch it")
        }
        return try ModelBundle.open(url)
    }
}

/// Prints `value` as pretty JSON with sorted keys.
func printJSON<T: Encodable>(_ value: T) throws {
    print(String(decoding: try JSONCoding.fileEncoder.encode(value), as: UTF8.self))
}

/// Writes a progress line to standard error (so standard output stays clean for --json).
func progress(_ line: String) {
    StandardStream.error.write(line + "\n")
}
