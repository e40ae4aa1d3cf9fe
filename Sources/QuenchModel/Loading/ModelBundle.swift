import Foundation

/// A model ready to run: its weights, its tokenizer and chat template when the files carry them,
/// and what it was read from.
public struct ModelBundle {
    /// The file formats Quench reads models from.
    public enum Format: String, Sendable, Codable {
        case gguf = "GGUF"
        case huggingFace = "Hugging Face (safetensors)"
    }

    public let model: CausalLM
    public let tokenizer: BPETokenizer?
    public let chatTemplate: ChatTemplate?
    /// The chat template's source text as the files carry it (for export).
    public let chatTemplateText: String?
    public let format: Format
    /// The path given: a GGUF file or a Hugging Face directory.
    public let location: URL
    /// The files whose bytes make up the model (for hashing and lineage).
    public let files: [URL]
    /// How many tensors of each stored type (F32, Q4_1, ...).
    public let storedTypes: [String: Int]

    /// Opens a `.gguf` file or a directory holding `config.json` and safetensors, the files mapped.
    public static func open(_ url: URL) throws -> ModelBundle {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError.unreadable(file: url.path, reason: "no such file or directory")
        }
        if isDirectory.boolValue { return try openHuggingFace(url) }
        guard url.pathExtension.lowercased() == "gguf" else {
            throw ModelError.unreadable(
                file: url.path, reason: "expected a .gguf file or a directory with config.json and model.safetensors")
        }
        return try openGGUF(url)
    }

    /// Opens the model at `url` from bytes `check` accepted: each file is read whole into memory,
    /// checked, and parsed from those bytes, so a file changed after the check cannot be loaded.
    /// - Throws: the check's error for the first file it refuses, or `open(_:)`'s errors.
    public static func open(_ url: URL, verifying check: FileCheck) throws -> ModelBundle {
        try check.reading { try open(url) }
    }

    private static func openGGUF(_ url: URL) throws -> ModelBundle {
        let gguf = try GGUFFile(contentsOf: url)
        let model = try ModelLoader.load(gguf: gguf, file: url.lastPathComponent)
        let tokenizer = try GGUFTokenizer.tokenizer(from: gguf, file: url.lastPathComponent)
        let templateText = gguf.metadata["tokenizer.chat_template"]?.string
        let template = try templateText.map(ChatTemplate.recognise)
        var types: [String: Int] = [:]
        for tensor in gguf.tensors { types[tensor.type.name, default: 0] += 1 }
        return ModelBundle(model: model, tokenizer: tokenizer, chatTemplate: template, chatTemplateText: templateText,
                           format: .gguf,
                           location: url, files: [url], storedTypes: types)
    }

    private static func openHuggingFace(_ directory: URL) throws -> ModelBundle {
        let config = try ModelConfig(huggingFaceConfig: directory.appendingPathComponent("config.json"))
        let checkpoint = try SafetensorsCheckpoint(directory: directory)
        let model = try ModelLoader.load(config: config, checkpoint: checkpoint)
        var types: [String: Int] = [:]
        for name in checkpoint.tensorNames {
            if let info = checkpoint.info(name) { types[info.dtype.rawValue, default: 0] += 1 }
        }
        let tokenizerURL = directory.appendingPathComponent("tokenizer.json")
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let tokenizerConfig = try HuggingFaceTokenizerConfig(contentsOf: configURL)
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerURL.path)
            ? try BPETokenizer(tokenizerJSON: tokenizerURL, bosToken: tokenizerConfig?.bosToken,
                               eosToken: tokenizerConfig?.eosToken)
            : nil
        let template = try tokenizerConfig?.chatTemplate.map(ChatTemplate.recognise)
        let files = [directory.appendingPathComponent("config.json")] + checkpoint.files.map(\.url)
            + [tokenizerURL, configURL].filter { FileManager.default.fileExists(atPath: $0.path) }
        return ModelBundle(model: model, tokenizer: tokenizer, chatTemplate: template,
                           chatTemplateText: tokenizerConfig?.chatTemplate, format: .huggingFace,
                           location: directory, files: files, storedTypes: types)
    }
}

/// The keys of `tokenizer_config.json` Quench reads: special token strings and the chat template.
struct HuggingFaceTokenizerConfig {
    let bosToken: String?
    let eosToken: String?
    let chatTemplate: String?

    /// nil when the file does not exist.
    init?(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try MappedFile.json(at: url.path)
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelError.unreadable(file: url.path, reason: JSONSyntax.problem(in: data) ?? "not a JSON object")
        }
        // Special tokens are strings, or objects {"content": ...} in older files.
        func token(_ key: String) -> String? {
            (json[key] as? String) ?? ((json[key] as? [String: Any])?["content"] as? String)
        }
        bosToken = token("bos_token")
        eosToken = token("eos_token")
        chatTemplate = json["chat_template"] as? String
    }
}
