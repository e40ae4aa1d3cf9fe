import Foundation
import QuenchGovernance
import QuenchModel
import QuenchTrain
import QuenchTokenizer
import QuenchData

/// The dataset targets: the trainer's JSONL reader and the PII scanner.
enum DataFuzzing {
    /// SmolLM2's tokenizer and chat template (the demo model `make setup` fetches), read once.
    static let exampleTokenizer: Result<ExampleTokenizer, any Error> = Result {
        let url = DemoModel.url
        let gguf = try GGUFFile(contentsOf: url)
        guard let tokenizer = try GGUFTokenizer.tokenizer(from: gguf, file: url.lastPathComponent) else {
            throw ModelError.missingKey(file: url.path, key: "tokenizer.ggml.tokens")
        }
        let template = try gguf.metadata["tokenizer.chat_template"]?.string.map(ChatTemplate.recognise)
        return try ExampleTokenizer(tokenizer: tokenizer, chatTemplate: template)
    }

    /// Reads, tokenizes, splits and packs the file as `quench train` does.
    static func prepareTrainingData(_ url: URL) throws {
        let options = DataOptions(trainingFile: url, validationSplit: 0.25, maxSeqLen: 64, policy: .pack, seed: 1)
        _ = try TrainingData.prepare(options, tokenizer: exampleTokenizer.get())
    }

    /// Scans the file as `quench data scan` does, then writes a redacted copy as `quench data redact` does.
    static func scanAndRedact(_ url: URL) throws {
        _ = try DataScanner().scan(files: [url])
        let output = try ScratchDirectory.shared.get().path("redacted.jsonl")
        _ = try Redactor().redact(input: url, output: output)
    }
}
