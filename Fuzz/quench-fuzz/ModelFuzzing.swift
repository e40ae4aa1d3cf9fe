import Foundation
import QuenchModel
import QuenchTokenizer

/// The model-file targets: what `quench` does with a safetensors file, a GGUF file and a tokenizer.json.
enum ModelFuzzing {
    /// A conversation in ChatML, with special tokens, bytes outside ASCII, digits and whitespace runs.
    static let sampleText = "<|im_start|>user\nHi 123 — ça va?\n\n  0<|im_end|>\n<|im_start|>assistant\nÖk 🙂<|im_end|>"

    /// Opens and validates the file, then reads every tensor the way the loaders do.
    static func readSafetensors(_ url: URL) throws {
        let file = try SafetensorsFile(contentsOf: url)
        for name in file.tensorNames {
            guard let info = file.info(name) else { continue }
            if SafetensorsFile.integerDTypes.contains(info.dtype) {
                _ = try file.int32s(name)
            } else {
                try file.checkFinite(name)
                _ = try file.floats(name)
            }
        }
    }

    /// Opens the file as `quench` opens a model, then uses its tokenizer and chat template.
    static func openGGUF(_ url: URL) throws {
        let bundle = try ModelBundle.open(url)
        if let tokenizer = bundle.tokenizer { try roundTrip(sampleText, with: tokenizer) }
        if let template = bundle.chatTemplate {
            _ = template.renderWithAssistantSpans([
                ChatMessage(role: "user", content: "Hi"), ChatMessage(role: "assistant", content: "Hello"),
            ])
        }
    }

    /// Loads the file as a Hugging Face model directory's tokenizer, then encodes and decodes.
    static func loadTokenizerJSON(_ url: URL) throws {
        let tokenizer = try BPETokenizer(tokenizerJSON: url)
        try roundTrip(sampleText, with: tokenizer)
    }

    private static func roundTrip(_ text: String, with tokenizer: BPETokenizer) throws {
        let ids = try tokenizer.encode(text)
        _ = try tokenizer.decode(ids)
        _ = try tokenizer.decode(ids, skipSpecialTokens: true)
    }
}
