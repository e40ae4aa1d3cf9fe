import Foundation

/// The formats a model can be written in, and the one entry point that writes each.
public enum ModelExport: Sendable, Equatable {
    /// A Hugging Face directory: config.json, generation_config.json, model.safetensors (weights
    /// stored as the given type, nil: the source's), tokenizer files.
    case huggingFace(ExportDType?)
    /// A GGUF file with F32 or F16 tensors.
    case gguf(GGUFWriter.ElementType)

    /// Writes `bundle` to `url` (which must not exist yet) in this format; a Hugging Face
    /// directory gets `card(dtype)` as its README.md.
    public func write(_ bundle: ModelBundle, to url: URL, card: (ExportDType?) -> ModelCard? = { _ in nil }) throws {
        switch self {
        case .huggingFace(let dtype): try HuggingFaceExporter.write(bundle, to: url, dtype: dtype, card: card(dtype))
        case .gguf(let type): try GGUFExporter.write(bundle, to: url, type: type)
        }
    }
}
