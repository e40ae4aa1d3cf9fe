import ArgumentParser
import Foundation
import QuenchFiles
import QuenchModel
import QuenchSecurity

/// `quench merge`: a base model with a LoRA adapter folded in, written as a full model.
struct Merge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Merge a LoRA adapter (PEFT layout) into its base model and write the full model.",
        discussion: """
            Computes W + s·B·A for every adapted projection, s = alpha/r (alpha/√r with use_rslora; r and \
            alpha per module with rank_pattern/alpha_pattern), and for DoRA adapters (use_dora) \
            W' = m/‖W + s·B·A‖ · (W + s·B·A) per output row, as PEFT's merge_and_unload does. It writes the \
            result as a Hugging Face directory (safetensors + config.json + generation_config.json + tokenizer + a README.md model \
            card), or with --gguf as a GGUF file (F32 or F16) that llama.cpp loads. --out must not exist \
            yet. --dtype sets the safetensors type (default: the base model's, as quench import --help \
            describes). When the adapter is a run's train/adapter folder and its files are the ones the \
            run recorded, the card carries the run's lineage, gate results, signature and registry entry.

            Example:
              quench merge --model base.gguf --adapter runs/train/adapter --out merged-hf
            """)

    @OptionGroup var model: ModelOptions

    @Option(help: ArgumentHelp("The adapter directory (adapter_model.safetensors + adapter_config.json).", valueName: "dir"))
    var adapter: String

    @Option(help: ArgumentHelp("Where to write the merged model.", valueName: "path"))
    var out: String

    @Option(help: "Write a GGUF file of this type instead of a Hugging Face directory.")
    var gguf: Import.GGUFType?

    @Option(help: "The safetensors type (default: the base model's).")
    var dtype: ExportDType?

    func run() async throws {
        let export = try Import.GGUFType.export(gguf, dtype: dtype)
        let bundle = try model.open()
        let adapterURL = URL(fileURLWithPath: adapter)
        let adapters = try PEFTAdapterFormat.read(from: adapterURL, model: bundle.model)
        let read = [PEFTAdapterFormat.configFile, PEFTAdapterFormat.weightsFile].map(adapterURL.appendingPathComponent)
        let run = RunProvenance.find(artifacts: adapterURL, read: read, baseFiles: bundle.files,
                                     digest: { try FileDigest.sha256(of: $0) })
        if let mismatch = run?.mismatch { StandardStream.error.write("note: the model card claims no run lineage: \(mismatch)\n") }
        try adapters.merge(into: bundle.model)
        let destination = URL(fileURLWithPath: out)
        try export.write(bundle, to: destination) { dtype in
            ModelCard.merged(bundle, adapters: adapters, from: adapterURL, title: destination.lastPathComponent, dtype: dtype,
                             run: run)
        }
        print("wrote \(destination.path)")
    }
}
