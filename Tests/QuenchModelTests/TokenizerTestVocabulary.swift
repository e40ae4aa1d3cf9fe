import Foundation
import QuenchModel
@testable import QuenchTokenizer

/// A tiny handmade byte-level vocabulary: the 256 byte tokens (GPT-2's table, written out again
/// here independently of the code under test), then merged tokens and specials.
enum TestVocabulary {
    /// GPT-2's bytes_to_unicode: printable Latin-1 stays, the rest shifts to U+0100 onwards.
    static let byteTokens: [String] = {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        var result = [String](repeating: "", count: 256)
        var shifted = 256
        for byte in 0..<256 {
            let value = printable.contains(byte) ? byte : { defer { shifted += 1 }; return shifted }()
            result[byte] = String(Character(Unicode.Scalar(UInt32(value))!))
        }
        return result
    }()

    /// The byte-level spelling of `text`.
    static func spelling(_ text: String) -> String {
        text.utf8.map { byteTokens[Int($0)] }.joined()
    }

    /// A tokenizer with the byte tokens, `extra` tokens after them and `merges` (in plain text, spaces as "Ġ").
    static func tokenizer(
        extra: [String] = [], merges: [String] = [], types extraTypes: [Int32]? = nil,
        preTokenizer: PreTokenizer = .gpt2, bos: Int? = nil, eos: Int? = nil, added: [String]? = nil
    ) throws -> BPETokenizer {
        let tokens = byteTokens + extra
        let types = extraTypes.map { Array(repeating: Int32(1), count: 256) + $0 }
        return try BPETokenizer(
            tokens: tokens, merges: merges, tokenTypes: types, preTokenizer: preTokenizer,
            bosTokenID: bos, eosTokenID: eos, addedTokens: added)
    }

    static func byteID(_ character: Character) -> Int {
        byteTokens.firstIndex(of: String(character)) ?? -1
    }
}
