import Foundation

/// What PEFT loads an adapter's base model from: adapter_config.json's `base_model_name_or_path`, and
/// the name a model card gives it.
public enum PEFTBase: Sendable, Equatable {
    /// A Hugging Face (safetensors) checkpoint in a hub cache, which transformers loads by its hub id.
    case hub(String)
    /// A GGUF file, which transformers and PEFT do not load as a base: the folder `quench import`
    /// converts it to, named after the file.
    case converted(gguf: URL, folder: String)
    /// A local Hugging Face folder, by its path.
    case local(URL)

    /// The base of an adapter trained on `bundle`. A GGUF file is converted even when it came from a
    /// hub: its repository holds no checkpoint PEFT loads.
    public init(_ bundle: ModelBundle) {
        if bundle.format == .huggingFace, let id = HubModelID.of(bundle.location) {
            self = .hub(id)
        } else if bundle.format == .gguf {
            self = .converted(gguf: bundle.location, folder: bundle.location.deletingPathExtension().lastPathComponent + "-hf")
        } else {
            self = .local(bundle.location.standardizedFileURL)
        }
    }

    /// `base_model_name_or_path`: the hub id, the converted folder's name, or the local path (as PEFT
    /// writes a local base).
    public var configValue: String {
        switch self {
        case .hub(let id): return id
        case .converted(_, let folder): return folder
        case .local(let url): return url.path
        }
    }

    /// The hub id, when there is one; a card's `base_model` key, which the hub reads as a repository.
    public var hubID: String? {
        if case .hub(let id) = self { return id }
        return nil
    }

    /// What a card's usage snippet loads: never a path on this machine, since a card is published.
    var cardValue: String {
        switch self {
        case .hub(let id): return id
        case .converted(_, let folder): return folder
        case .local(let url): return "path/to/\(url.lastPathComponent)"
        }
    }
}
