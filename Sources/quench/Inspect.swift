import ArgumentParser
import QuenchModel
import QuenchSecurity

/// `quench inspect`: what a model file is.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model's architecture, parameter count, stored types, tokenizer and file hashes.",
        discussion: """
            Reads a .gguf file or a Hugging Face directory (config.json + safetensors), validating every \
            header and offset, and hashes each file with SHA-256.

            Examples:
              quench inspect                      # the demo model fetched by `make setup`
              quench inspect --model out/smollm2  # a Hugging Face directory
              quench inspect --json
            """)

    @OptionGroup var model: ModelOptions

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        let summary = try ModelSummary(bundle: model.open(), sha256: FileDigest.sha256(of:))
        if json { try printJSON(summary) } else { print(summary.rendered()) }
    }
}
