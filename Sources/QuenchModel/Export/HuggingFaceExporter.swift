import Foundation
import QuenchFiles
import QuenchTokenizer

/// Writes a model as a Hugging Face directory: config.json, generation_config.json,
/// model.safetensors, and, when the model carries a tokenizer, tokenizer.json and
/// tokenizer_config.json: the layout transformers' `from_pretrained` loads; and a README.md model card when given one.
///
/// The files are written through `AtomicDirectory`, so a failure never leaves a half-written model behind.
public enum HuggingFaceExporter {
    /// The file generation settings are read from by transformers.
    public static let generationConfigFileName = "generation_config.json"

    /// Writes `bundle` into `directory` (which must not exist yet, unless `replacing`: then an earlier
    /// folder there is replaced once the new one is whole) with its weights stored as `dtype` (default:
    /// the source's, `ExportDType.matching(storedTypes:)`), and `card` as README.md.
    /// - Throws: `ExportError` for an existing destination, a weight `dtype` cannot hold, or a folder
    ///   that cannot be written.
    public static func write(_ bundle: ModelBundle, to directory: URL, dtype: ExportDType? = nil, card: ModelCard? = nil,
                             replacing: Bool = false) throws {
        guard replacing || !FileManager.default.fileExists(atPath: directory.path) else {
            throw ExportError.destinationExists(path: directory.path)
        }
        do {
            try AtomicDirectory.write(to: directory, replacing: replacing) { staging in
                let model = bundle.model, ids = ExportedTokenIDs(bundle)
                let dtype = dtype ?? .matching(storedTypes: bundle.storedTypes)
                try model.config.huggingFaceJSON(dtype: dtype, padTokenID: ids.pad)
                    .write(to: staging.appendingPathComponent(ModelBundle.configFileName))
                try ids.generationConfigJSON().write(to: staging.appendingPathComponent(generationConfigFileName))
                let entries = try model.specs.map { spec in
                    SafetensorsWriter.Entry(
                        name: spec.huggingFaceName, shape: HuggingFaceLayout.storedShape(spec),
                        values: try dtype.values(HuggingFaceLayout.toHuggingFace(try model.parameter(spec.name), spec: spec),
                                                 tensor: spec.huggingFaceName))
                }
                try SafetensorsWriter.write(entries, metadata: ["format": "pt"],
                                            to: staging.appendingPathComponent("model.safetensors"))
                if let tokenizer = bundle.tokenizer {
                    try tokenizer.tokenizerJSON().write(to: staging.appendingPathComponent(ModelBundle.tokenizerFileName))
                    try tokenizerConfig(tokenizer, ids: ids, maxLength: model.config.maxPositions, template: bundle.chatTemplateText)
                        .write(to: staging.appendingPathComponent(ModelBundle.tokenizerConfigFileName))
                }
                try card?.write(into: staging)
            }
        } catch AtomicFile.Failure.exists(let path) {
            throw ExportError.destinationExists(path: path)
        } catch let error as AtomicFile.Failure {
            throw ExportError.writeFailed(path: error.path, reason: error.reason)
        }
    }

    /// tokenizer_config.json: the special tokens by text, the longest input (`maxLength`, the
    /// model's positions), and the chat template.
    static func tokenizerConfig(_ tokenizer: BPETokenizer, ids: ExportedTokenIDs, maxLength: Int, template: String?) throws -> Data {
        var json: [String: Any] = ["tokenizer_class": "PreTrainedTokenizerFast", "add_bos_token": false,
                                   "clean_up_tokenization_spaces": false, "model_max_length": maxLength]
        let tokens = ["bos_token": tokenizer.bosTokenID, "eos_token": tokenizer.eosTokenID, "pad_token": ids.pad,
                      "unk_token": ids.unknown]
        for (key, id) in tokens { json[key] = id.flatMap(tokenizer.token(for:)) }
        if let template { json["chat_template"] = template }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }
}
