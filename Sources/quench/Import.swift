import ArgumentParser
import Foundation
import QuenchModel

/// `quench import`: a GGUF (or any model Quench reads) written out as a Hugging Face directory.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a model to a Hugging Face directory (safetensors + config.json + tokenizer.json).",
        discussion: """
            Dequantizes every tensor to float32 (GGUF's Q and K rows are put back in Hugging Face's order) \
            and writes config.json, model.safetensors, tokenizer.json and tokenizer_config.json into --out, \
            which must not exist yet. The directory appears only when complete. Use --gguf to write a GGUF \
            file (F32 or F16) instead, which llama.cpp loads.

            Examples:
              quench import ~/.cache/quench/models/SmolLM2-135M-Instruct.Q4_1.gguf --out smollm2-hf
              quench import smollm2-hf --gguf f16 --out smollm2-f16.gguf
            """)

    /// The GGUF element types Quench writes.
    enum GGUFType: String, ExpressibleByArgument, CaseIterable {
        case f32, f16

        /// The export a `--gguf` choice (or its absence) asks for.
        static func export(_ choice: GGUFType?) -> ModelExport {
            switch choice {
            case .none: return .huggingFace
            case .f32: return .gguf(.f32)
            case .f16: return .gguf(.f16)
            }
        }
    }

    @Argument(help: ArgumentHelp("The model to convert: a .gguf file or a Hugging Face directory.", valueName: "model"))
    var source: String

    @Option(help: ArgumentHelp("Where to write (a directory, or a .gguf file with --gguf).", valueName: "path"))
    var out: String

    @Option(help: "Write a GGUF file of this type instead of a Hugging Face directory.")
    var gguf: GGUFType?

    func run() async throws {
        let bundle = try ModelBundle.open(URL(fileURLWithPath: source))
        let destination = URL(fileURLWithPath: out)
        try GGUFType.export(gguf).write(bundle, to: destination)
        print("wrote \(destination.path)")
    }
}
