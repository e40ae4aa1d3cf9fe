import Foundation
import QuenchTokenizer

/// Writes a model as a Hugging Face directory: config.json, model.safetensors (float32), and, when
/// the model carries a tokenizer, tokenizer.json and tokenizer_config.json: the layout transformers'
/// `from_pretrained` loads.
///
/// The files are written into a hidden sibling directory that is renamed into place at the end, so
/// a failure never leaves a half-written model behind.
public enum HuggingFaceExporter {
    public static func write(_ bundle: ModelBundle, to directory: URL) throws {
        let manager = FileManager.default
        guard !manager.fileExists(atPath: directory.path) else {
            throw ExportError.destinationExists(path: directory.path)
        }
        let parent = directory.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(directory.lastPathComponent).partial-\(getpid())")
        try? manager.removeItem(at: staging)
        do {
            try manager.createDirectory(at: staging, withIntermediateDirectories: true)
            let model = bundle.model
            try model.config.huggingFaceJSON().write(to: staging.appendingPathComponent("config.json"))
            let entries = try model.specs.map { spec in
                SafetensorsWriter.Entry(
                    name: spec.huggingFaceName, shape: HuggingFaceLayout.storedShape(spec),
                    values: .f32(HuggingFaceLayout.toHuggingFace(try model.parameter(spec.name), spec: spec)))
            }
            try SafetensorsWriter.write(entries, metadata: ["format": "pt"],
                                        to: staging.appendingPathComponent("model.safetensors"))
            if let tokenizer = bundle.tokenizer {
                try tokenizer.tokenizerJSON().write(to: staging.appendingPathComponent("tokenizer.json"))
                try tokenizerConfig(tokenizer, template: bundle.chatTemplateText)
                    .write(to: staging.appendingPathComponent("tokenizer_config.json"))
            }
            try manager.moveItem(at: staging, to: directory)
        } catch {
            try? manager.removeItem(at: staging)
            throw error
        }
    }

    /// tokenizer_config.json: the special tokens by text, and the chat template.
    static func tokenizerConfig(_ tokenizer: BPETokenizer, template: String?) throws -> Data {
        var json: [String: Any] = ["tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": false,
                                   "clean_up_tokenization_spaces": false]
        if let id = tokenizer.bosTokenID, let token = tokenizer.token(for: id) { json["bos_token"] = token }
        if let id = tokenizer.eosTokenID, let token = tokenizer.token(for: id) { json["eos_token"] = token }
        if let template { json["chat_template"] = template }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }
}
