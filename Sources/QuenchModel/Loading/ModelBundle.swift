import Foundation
import QuenchFiles
import QuenchTokenizer

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
    /// What the files say about the model besides weights and tokenizer (kept by exports).
    public let source: ModelSourceMetadata

    /// The model configuration in a Hugging Face folder.
    public static let configFileName = "config.json"
    /// The tokenizer in a Hugging Face folder (optional).
    public static let tokenizerFileName = "tokenizer.json"
    /// Special tokens and the chat template in a Hugging Face folder (optional).
    public static let tokenizerConfigFileName = "tokenizer_config.json"

    /// Opens a `.gguf` file or a directory holding `config.json` and safetensors, the files mapped.
    public static func open(_ url: URL) throws -> ModelBundle {
        try isHuggingFaceFolder(url) ? openHuggingFace(url) : openGGUF(url)
    }

    /// The exact files `open(_:)` reads for the model at `url`, so a pin on each covers every byte
    /// loaded: the `.gguf` file itself; or, in a Hugging Face folder, config.json, the checkpoint
    /// (model.safetensors, or the index and exactly the shards its weight_map names), and
    /// tokenizer.json and tokenizer_config.json when present. Other files of the folder are never read.
    /// - Throws: `ModelError.unreadable` for a path that is neither, `SafetensorsError` for a folder
    ///   without a checkpoint or with an invalid index.
    public static func filesRead(in url: URL) throws -> [URL] {
        guard try isHuggingFaceFolder(url) else { return [url] }
        return huggingFaceFiles(in: url, checkpoint: try SafetensorsCheckpoint.files(in: url))
    }

    /// Opens the model at `url` from bytes `check` accepted: each file is read whole into memory,
    /// checked, and parsed from those bytes, so a file changed after the check cannot be loaded.
    /// - Throws: the check's error for the first file it refuses, or `open(_:)`'s errors.
    public static func open(_ url: URL, verifying check: FileCheck) throws -> ModelBundle {
        try check.reading { try open(url) }
    }

    /// True for a directory, false for a `.gguf` file. - Throws: for anything else.
    private static func isHuggingFaceFolder(_ url: URL) throws -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw ModelError.unreadable(file: url.path, reason: "no such file or directory")
        }
        if isDirectory.boolValue { return true }
        guard url.pathExtension.lowercased() == "gguf" else {
            throw ModelError.unreadable(
                file: url.path, reason: "expected a .gguf file or a directory with config.json and model.safetensors")
        }
        return false
    }

    /// The tokenizer in tokenizer.json `url` with the BOS and EOS tokens `config` (read from
    /// `configURL`) names; a special token missing from the vocabulary is reported at its key there.
    private static func loadTokenizer(_ url: URL, config: HuggingFaceTokenizerConfig?, at configURL: URL) throws -> BPETokenizer {
        do {
            return try BPETokenizer(tokenizerJSON: url, bosToken: config?.bosToken, eosToken: config?.eosToken)
        } catch TokenizerError.specialTokenNotInVocabulary(let name, let token) {
            throw ModelError.invalidValue(
                file: configURL.path, key: name == "BOS" ? HuggingFaceTokenizerConfig.bosKey : HuggingFaceTokenizerConfig.eosKey,
                reason: "token \(String(reflecting: token)) is not in the vocabulary of \(url.path)")
        }
    }

    /// config.json, then the checkpoint's files, then the tokenizer files the folder has.
    private static func huggingFaceFiles(in directory: URL, checkpoint: [URL]) -> [URL] {
        let tokenizerFiles = [tokenizerFileName, tokenizerConfigFileName].map { directory.appendingPathComponent($0) }
        return [directory.appendingPathComponent(configFileName)] + checkpoint
            + tokenizerFiles.filter { FileManager.default.fileExists(atPath: $0.path) }
    }

    private static func openGGUF(_ url: URL) throws -> ModelBundle {
        let gguf = try GGUFFile(contentsOf: url)
        let model = try ModelLoader.load(gguf: gguf, file: url.path)
        let tokenizer = try GGUFTokenizer.tokenizer(from: gguf, file: url.path)
        let templateText = gguf.metadata["tokenizer.chat_template"]?.string
        let template = try templateText.map(ChatTemplate.recognise)
        var types: [String: Int] = [:]
        for tensor in gguf.tensors { types[tensor.type.name, default: 0] += 1 }
        let source = try ModelSourceMetadata(gguf: gguf, file: url.path,
                                             vocabularySize: tokenizer?.vocabularySize ?? model.config.vocabularySize)
        return ModelBundle(model: model, tokenizer: tokenizer, chatTemplate: template, chatTemplateText: templateText,
                           format: .gguf,
                           location: url, files: [url], storedTypes: types, source: source)
    }

    private static func openHuggingFace(_ directory: URL) throws -> ModelBundle {
        let config = try ModelConfig(huggingFaceConfig: directory.appendingPathComponent(configFileName))
        let checkpoint = try SafetensorsCheckpoint(directory: directory)
        let model = try ModelLoader.load(config: config, checkpoint: checkpoint)
        var types: [String: Int] = [:]
        for name in checkpoint.tensorNames {
            if let info = checkpoint.info(name) { types[info.dtype.rawValue, default: 0] += 1 }
        }
        let tokenizerURL = directory.appendingPathComponent(tokenizerFileName)
        let configURL = directory.appendingPathComponent(tokenizerConfigFileName)
        let tokenizerConfig = try HuggingFaceTokenizerConfig(contentsOf: configURL)
        let tokenizer = FileManager.default.fileExists(atPath: tokenizerURL.path)
            ? try loadTokenizer(tokenizerURL, config: tokenizerConfig, at: configURL)
            : nil
        let template = try tokenizerConfig?.chatTemplate.map(ChatTemplate.recognise)
        let files = huggingFaceFiles(in: directory, checkpoint: checkpoint.sourceFiles)
        var source = ModelSourceMetadata()
        if let tokenizer, let tokenizerConfig {
            source.padTokenID = try tokenizerConfig.id(of: HuggingFaceTokenizerConfig.padKey, in: tokenizer, at: configURL)
            source.unknownTokenID = try tokenizerConfig.id(of: HuggingFaceTokenizerConfig.unknownKey, in: tokenizer, at: configURL)
        }
        return ModelBundle(model: model, tokenizer: tokenizer, chatTemplate: template,
                           chatTemplateText: tokenizerConfig?.chatTemplate, format: .huggingFace,
                           location: directory, files: files, storedTypes: types, source: source)
    }
}

/// The keys of `tokenizer_config.json` Quench reads: special token strings and the chat template.
struct HuggingFaceTokenizerConfig {
    let bosToken: String?
    let eosToken: String?
    /// The padding and unknown tokens (kept by exports).
    let padToken: String?, unknownToken: String?
    let chatTemplate: String?

    /// nil when the file does not exist.
    init?(contentsOf url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data = try MappedFile.json(at: url.path)
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelError.unreadable(file: url.path, reason: JSONErrorText.problem(in: data) ?? "not a JSON object")
        }
        // Special tokens are strings, or objects {"content": ...} in older files.
        func token(_ key: String) -> String? {
            (json[key] as? String) ?? ((json[key] as? [String: Any])?["content"] as? String)
        }
        bosToken = token(Self.bosKey)
        eosToken = token(Self.eosKey)
        padToken = token(Self.padKey)
        unknownToken = token(Self.unknownKey)
        chatTemplate = json["chat_template"] as? String
    }

    /// The keys naming the special tokens.
    static let bosKey = "bos_token", eosKey = "eos_token", padKey = "pad_token", unknownKey = "unk_token"

    /// The id in `tokenizer` of the token at `key` (`padKey` or `unknownKey`), nil when not set.
    /// - Throws: `ModelError.invalidValue` naming the file `url` and the key for a token not in the vocabulary.
    func id(of key: String, in tokenizer: BPETokenizer, at url: URL) throws -> Int? {
        guard let token = key == Self.padKey ? padToken : unknownToken else { return nil }
        guard let id = tokenizer.id(of: token) else {
            throw ModelError.invalidValue(
                file: url.path, key: key, reason: "token \(String(reflecting: token)) is not in the tokenizer's vocabulary")
        }
        return id
    }
}
