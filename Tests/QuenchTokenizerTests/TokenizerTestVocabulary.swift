import Foundation
import QuenchModel
@testable import QuenchTokenizer
import QuenchTestSupport

/// A tiny handmade byte-level vocabulary: the 256 byte tokens (`ByteLevelVocabulary`, GPT-2's table written
/// out independently of the code under test), then merged tokens and specials.
enum TestVocabulary {
    /// A tokenizer with the byte tokens, `extra` tokens after them and `merges` (in plain text, spaces as "Ġ").
    static func tokenizer(
        extra: [String] = [], merges: [String] = [], types extraTypes: [Int32]? = nil,
        preTokenizer: PreTokenizer = .gpt2, bos: Int? = nil, eos: Int? = nil, added: [String]? = nil
    ) throws -> BPETokenizer {
        let tokens = ByteLevelVocabulary.tokens + extra
        let types = extraTypes.map { Array(repeating: Int32(1), count: 256) + $0 }
        return try BPETokenizer(
            tokens: tokens, merges: merges, tokenTypes: types, preTokenizer: preTokenizer,
            bosTokenID: bos, eosTokenID: eos, addedTokens: added)
    }

    static func byteID(_ character: Character) -> Int {
        ByteLevelVocabulary.tokens.firstIndex(of: String(character)) ?? -1
    }
}
