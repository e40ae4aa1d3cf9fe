import Foundation

/// The cards Quench writes: for a converted model (`quench import`), a merged one (`quench merge`),
/// and what training produced (an adapter, or a fully fine-tuned model).
extension ModelCard {
    /// The card of `bundle` written by `quench import` into a folder named `title`, its weights
    /// stored as `dtype` (nil: the source's); `run` is what the run that trained it recorded.
    public static func converted(_ bundle: ModelBundle, title: String, dtype: ExportDType?,
                                 run: RunProvenance? = nil) -> ModelCard {
        ModelCard(
            title: title, libraryName: "transformers", baseModel: HubModelID.of(bundle.location),
            license: bundle.source.license, tags: ["quench"],
            summary: "\(displayName(bundle)) converted by Quench to a Hugging Face folder.",
            sections: [Section("Source", sourceLines(bundle) + [storageLine(bundle, dtype)])] + (run?.sections ?? [])
                + [usage(adapterBase: nil)])
    }

    /// The card of `bundle` with `adapters`, read from the folder `adapter`, merged in (`quench merge`)
    /// and written into a folder named `title`; `run` is what the run that trained the adapter recorded.
    public static func merged(_ bundle: ModelBundle, adapters: LoRAAdapters, from adapter: URL, title: String,
                              dtype: ExportDType?, run: RunProvenance?) -> ModelCard {
        var sections = [Section("Source", sourceLines(bundle) + [
            "- Adapter merged in: `\(adapter.standardizedFileURL.lastPathComponent)` (\(loraSettings(adapters)))",
            "- Each adapted projection: \(adaptedWeight(adapters))",
            storageLine(bundle, dtype),
        ])]
        sections += run?.sections ?? []
        sections.append(usage(adapterBase: nil))
        return ModelCard(
            title: title, libraryName: "transformers", baseModel: HubModelID.of(bundle.location),
            license: bundle.source.license, tags: ["quench", "lora", "merged"],
            summary: "\(displayName(bundle)) with a LoRA adapter merged in by Quench.", sections: sections)
    }

    /// The card of what Quench trained from `bundle`: a LoRA adapter (`adapter`) or a fully
    /// fine-tuned model, with `settings` (Markdown list lines) describing the training.
    public static func trained(_ bundle: ModelBundle, adapter: Bool, settings: [String]) -> ModelCard {
        var baseLines = sourceLines(bundle)
        let base = adapter ? PEFTBase(bundle) : nil
        if case .converted(let gguf, let folder) = base {
            // transformers loads a Hugging Face folder; quench import makes one from the GGUF file.
            baseLines.append("- For PEFT, convert the base first: `quench import \(gguf.lastPathComponent) --out \(folder)`")
        }
        return ModelCard(
            title: adapter ? "LoRA adapter for \(displayName(bundle))" : "\(displayName(bundle)), fine-tuned",
            libraryName: adapter ? "peft" : "transformers", baseModel: adapter ? base?.hubID : HubModelID.of(bundle.location),
            license: bundle.source.license, tags: ["quench"] + (adapter ? ["lora"] : ["full-fine-tuning"]),
            summary: adapter ? "A LoRA adapter (PEFT layout) Quench trained on \(displayName(bundle))."
                : "\(displayName(bundle)) with every weight fine-tuned by Quench, stored as float32.",
            sections: [Section("Base model", baseLines), Section("Training", settings), usage(adapterBase: base?.cardValue)])
    }

    /// The model's own name: GGUF's general.name, else its hub id, else its file or folder name.
    static func displayName(_ bundle: ModelBundle) -> String {
        bundle.source.generalString("general.name") ?? HubModelID.of(bundle.location)
            ?? bundle.location.deletingPathExtension().lastPathComponent
    }

    /// Where the model came from: its hub id when it came from a hub, and its file or folder name
    /// (never its path: a card is written to be published) and format.
    static func sourceLines(_ bundle: ModelBundle) -> [String] {
        let types = bundle.storedTypes.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
        var lines = HubModelID.of(bundle.location).map { ["- Hugging Face repository: [\($0)](https://huggingface.co/\($0))"] } ?? []
        lines.append("- Read from: `\(bundle.location.standardizedFileURL.lastPathComponent)` (\(bundle.format.rawValue); tensors \(types))")
        if let license = bundle.source.license { lines.append("- License (from the source's metadata): \(license)") }
        return lines
    }

    /// The weights' file and type.
    static func storageLine(_ bundle: ModelBundle, _ dtype: ExportDType?) -> String {
        "- Weights: model.safetensors, \((dtype ?? .matching(storedTypes: bundle.storedTypes)).torchName)"
    }

    /// How to load the folder in Python: with transformers, or (`adapterBase`) with PEFT on that base.
    static func usage(adapterBase: String?) -> Section {
        guard let adapterBase else {
            return Section("Use", [
                "```python", "from transformers import AutoModelForCausalLM, AutoTokenizer",
                "tokenizer = AutoTokenizer.from_pretrained(\"path/to/this/folder\")",
                "model = AutoModelForCausalLM.from_pretrained(\"path/to/this/folder\", dtype=\"auto\")", "```",
            ])
        }
        return Section("Use", [
            "```python", "from peft import PeftModel", "from transformers import AutoModelForCausalLM",
            "base = AutoModelForCausalLM.from_pretrained(\"\(adapterBase)\")",
            "model = PeftModel.from_pretrained(base, \"path/to/this/folder\")", "```",
        ])
    }
}
