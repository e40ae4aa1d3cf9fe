import Foundation
import QuenchModel
@testable import QuenchTrain
@testable import QuenchTokenizer
@testable import QuenchData
import QuenchTestSupport

/// Small files and a handmade tokenizer for the data pipeline tests.
enum DataTestSupport {
    /// Writes `text` to `name` in a fresh temporary directory (the caller removes it).
    static func file(_ name: String, _ text: String) throws -> URL {
        let url = try TemporaryDirectory.create("data").appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    static let eos: Int32 = 256
    static let imStart: Int32 = 257
    static let imEnd: Int32 = 258

    /// Byte tokens, no merges, "<eos>" (256, EOS), "<|im_start|>" (257), "<|im_end|>" (258).
    static func tokenizer(eos: Bool = true) throws -> BPETokenizer {
        let specials = ["<eos>", "<|im_start|>", "<|im_end|>"]
        return try BPETokenizer(
            tokens: ByteLevelVocabulary.tokens + specials, merges: [], tokenTypes: Array(repeating: 1, count: 256) + [3, 3, 3],
            preTokenizer: .gpt2, bosTokenID: nil, eosTokenID: eos ? 256 : nil, addedTokens: nil)
    }

    /// Token ids of ASCII `text` in the handmade tokenizer.
    static func ids(_ text: String) -> [Int32] { text.utf8.map { Int32($0) } }

    /// An example whose ids are `0..<count` offset by `base`, all scored.
    static func example(_ count: Int, base: Int32 = 0) -> TokenizedExample {
        TokenizedExample(ids: (0..<Int32(count)).map { base + $0 }, scored: Array(repeating: true, count: count))
    }
}
