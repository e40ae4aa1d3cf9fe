import ArgumentParser
import Foundation
import QuenchFiles
import QuenchModel
import QuenchSecurity

/// `quench import`: a GGUF (or any model Quench reads) written out as a Hugging Face directory.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a model to a Hugging Face directory (safetensors + config.json + tokenizer.json).",
        discussion: """
            Dequantizes every tensor (GGUF's Q and K rows are put back in Hugging Face's order) and writes \
            config.json, generation_config.json, model.safetensors, tokenizer.json, tokenizer_config.json \
            and a README.md model card into --out, which must not exist yet (a run's train/model folder, \
            unchanged since the run, gives the card the run's lineage, gate results and signature). The directory appears only when complete. Use --gguf to \
            write a GGUF file (F32 or F16) instead, which llama.cpp loads; it keeps the source's general.* \
            metadata.

            --dtype sets the safetensors type. Default: the source's: BF16 or F16 when its tensors are that \
            type (F32 norms allowed, as in llama.cpp's files), else F32 (an F32 or quantized source: F32 \
            holds every dequantized value exactly). A weight beyond the chosen type's range is refused.

            Examples:
              quench import ~/.cache/quench/models/SmolLM2-135M-Instruct.Q4_1.gguf --out smollm2-hf
              quench import smollm2-hf --dtype bf16 --out smollm2-bf16
              quench import smollm2-hf --gguf f16 --out smollm2-f16.gguf
            """)

    /// The GGUF element types Quench writes.
    enum GGUFType: String, ExpressibleByArgument, CaseIterable {
        case f32, f16

        /// The export a `--gguf` choice (or its absence) and a `--dtype` choice ask for.
        /// - Throws: `ValidationError` for both at once: --dtype is for safetensors.
        static func export(_ choice: GGUFType?, dtype: ExportDType?) throws -> ModelExport {
            if choice != nil, dtype != nil {
                throw ValidationError("--dtype sets a Hugging Face directory's safetensors type; a GGUF file's is --gguf's")
            }
            switch choice {
            case .none: return .huggingFace(dtype)
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

    @Option(help: "The safetensors type (default: the source's; see above).")
    var dtype: ExportDType?

    func run() async throws {
        let export = try GGUFType.export(gguf, dtype: dtype)
        let bundle = try ModelBundle.open(URL(fileURLWithPath: source))
        let run = RunProvenance.find(artifacts: bundle.location, read: bundle.files, digest: { try FileDigest.sha256(of: $0) })
        if let mismatch = run?.mismatch { StandardStream.error.write("note: the model card claims no run lineage: \(mismatch)\n") }
        let destination = URL(fileURLWithPath: out)
        try export.write(bundle, to: destination) { dtype in
            ModelCard.converted(bundle, title: destination.lastPathComponent, dtype: dtype, run: run)
        }
        print("wrote \(destination.path)")
    }
}

extension ExportDType: ExpressibleByArgument {}
