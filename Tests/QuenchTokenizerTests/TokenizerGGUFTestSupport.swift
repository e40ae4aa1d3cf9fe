import Foundation
import QuenchModel
@testable import QuenchTokenizer
import QuenchTestSupport

/// The raw tokenizer metadata of a GGUF file, as read by Quench's GGUF reader, for tests that
/// rebuild tokenizers from it in other ways.
struct GGUFTokenizerMetadata: Sendable {
    let tokens: [String]
    let merges: [String]
    let tokenTypes: [Int32]
    let pre: String?
    let chatTemplate: String?

    init(_ gguf: GGUFFile) {
        tokens = gguf.metadata["tokenizer.ggml.tokens"]?.strings ?? []
        merges = gguf.metadata["tokenizer.ggml.merges"]?.strings ?? []
        tokenTypes = gguf.metadata["tokenizer.ggml.token_type"]?.ints?.map { Int32(truncatingIfNeeded: $0) } ?? []
        pre = gguf.metadata["tokenizer.ggml.pre"]?.string
        chatTemplate = gguf.metadata["tokenizer.chat_template"]?.string
    }
}

/// SmolLM2's tokenizer, read once for all tests; nil when the model is absent.
enum SmolLM2Tokenizer {
    static let loaded: Result<(tokenizer: BPETokenizer, metadata: GGUFTokenizerMetadata), any Error>? = {
        guard DemoModelFile.isAvailable else { return nil }
        let url = DemoModelFile.url
        return Result {
            let gguf = try GGUFFile(contentsOf: url)
            guard let tokenizer = try GGUFTokenizer.tokenizer(from: gguf, file: url.lastPathComponent) else {
                throw ModelError.missingKey(file: url.path, key: "tokenizer.ggml.tokens")
            }
            return (tokenizer, GGUFTokenizerMetadata(gguf))
        }
    }()
}
