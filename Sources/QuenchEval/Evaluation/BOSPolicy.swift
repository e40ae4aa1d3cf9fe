import Foundation
import QuenchModel

/// Whether a model starts text with BOS, as llama.cpp decides it: the GGUF key
/// `tokenizer.ggml.add_bos_token`, or `add_bos_token` in a Hugging Face `tokenizer_config.json`
/// (which llama.cpp's converter copies into that key). Absent, llama.cpp adds none for byte-level
/// BPE vocabularies, the only kind Quench reads. SmolLM2 says false.
public enum BOSPolicy {
    /// Whether `bundle`'s files ask for BOS (and its tokenizer has one).
    public static func addsBOS(_ bundle: ModelBundle) throws -> Bool {
        guard bundle.tokenizer?.bosTokenID != nil else { return false }
        switch bundle.format {
        case .gguf:
            return try GGUFFile(contentsOf: bundle.location).metadata["tokenizer.ggml.add_bos_token"]?.bool ?? false
        case .huggingFace:
            let url = bundle.location.appendingPathComponent("tokenizer_config.json")
            guard let data = try? Data(contentsOf: url) else { return false }
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            return (json?["add_bos_token"] as? Bool) ?? false
        }
    }
}
