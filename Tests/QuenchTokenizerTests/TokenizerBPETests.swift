import Foundation
import Testing
import QuenchModel
@testable import QuenchTokenizer
import QuenchTestSupport

/// BPE merging, special tokens, decoding and validation on a handmade vocabulary.
@Suite struct TokenizerBPETests {
    typealias V = TestVocabulary

    @Test func mergesApplyInRankOrder() throws {
        // ids: ab 256, bc 257, abc 258
        let extra = ["ab", "bc", "abc"]
        let abFirst = try V.tokenizer(extra: extra, merges: ["a b", "b c", "ab c"])
        #expect(try abFirst.encode("abc") == [258])
        let bcFirst = try V.tokenizer(extra: extra, merges: ["b c", "a b", "ab c"])
        #expect(try bcFirst.encode("abc") == [V.byteID("a"), 257])
    }

    @Test func equalRanksMergeLeftmostFirst() throws {
        let tokenizer = try V.tokenizer(extra: ["aa"], merges: ["a a"])
        #expect(try tokenizer.encode("aaa") == [256, V.byteID("a")])
        #expect(try tokenizer.encode("aaaa") == [256, 256])
    }

    @Test func mergedTokensFormAcrossTheSpaceByte() throws {
        let tokenizer = try V.tokenizer(extra: ["Ġh", "Ġhi"], merges: ["Ġ h", "Ġh i"])
        #expect(try tokenizer.encode("hi hi") == [V.byteID("h"), V.byteID("i"), 257])
        #expect(try tokenizer.decode([V.byteID("h"), V.byteID("i"), 257]) == "hi hi")
    }

    @Test func aLongPieceMergesInReasonableTime() throws {
        let tokenizer = try V.tokenizer(extra: ["aa", "aaaa"], merges: ["a a", "aa aa"])
        let ids = try tokenizer.encode(String(repeating: "a", count: 100_001))
        #expect(ids.count == 25_001)
        #expect(ids.dropLast() == ArraySlice(repeating: 257, count: 25_000))
        #expect(ids.last == V.byteID("a"))
    }

    @Test func specialTokensAreMatchedWholeAndLongestFirst() throws {
        // 256 <|im_start|> (control), 257 <|im (user-defined), 258 <|im_start|>x (user-defined)
        let tokenizer = try V.tokenizer(extra: ["<|im_start|>", "<|im", "<|im_start|>x"], types: [3, 4, 4])
        let h = V.byteID("h"), i = V.byteID("i")
        #expect(try tokenizer.encode("<|im_start|>hi<|im") == [256, h, i, 257])
        #expect(try tokenizer.encode("<|im_start|>x") == [258])
        #expect(try tokenizer.encode("hi<|im_start|><|im_start|>") == [h, i, 256, 256])
        #expect(tokenizer.isSpecial(256) && !tokenizer.isSpecial(257) && !tokenizer.isSpecial(h))
        #expect(try tokenizer.decode([256, h, i, 257]) == "<|im_start|>hi<|im")
        #expect(try tokenizer.decode([256, h, i, 257], skipSpecialTokens: true) == "hi<|im")
    }

    @Test func addedTokensWithoutTypesAreSpecial() throws {
        let tokenizer = try V.tokenizer(extra: ["<eos>"], eos: 256, added: ["<eos>"])
        #expect(try tokenizer.encode("a<eos>") == [V.byteID("a"), 256])
        #expect(tokenizer.isSpecial(256))
        #expect(tokenizer.eosTokenID == 256)
    }

    @Test func bosIsAddedOnRequestOnly() throws {
        let tokenizer = try V.tokenizer(extra: ["<s>"], types: [3], bos: 256)
        #expect(try tokenizer.encode("a", addBOS: true) == [256, V.byteID("a")])
        #expect(try tokenizer.encode("a") == [V.byteID("a")])
        #expect(try tokenizer.encode("", addBOS: true) == [256])
        let withoutBOS = try V.tokenizer()
        #expect(throws: TokenizerError.noBOSToken) { try withoutBOS.encode("a", addBOS: true) }
    }

    @Test func multiByteCharactersRoundTripThroughBytes() throws {
        let tokenizer = try V.tokenizer()
        let text = "日本 🙂🚀 é"
        let ids = try tokenizer.encode(text)
        #expect(ids == text.utf8.map { Int($0) })  // byte b's token is id b in this vocabulary
        #expect(try tokenizer.decode(ids) == text)
    }

    @Test func invalidUTF8DecodesToReplacementCharacters() throws {
        let tokenizer = try V.tokenizer()
        let sun = Array("日".utf8)  // E6 97 A5
        func ids(_ bytes: [UInt8]) -> [Int] { bytes.map { Int($0) } }
        #expect(try tokenizer.decode(ids(sun)) == "日")
        #expect(try tokenizer.decode(ids(Array(sun.prefix(2)))) == "\u{FFFD}")
        #expect(try tokenizer.decode(ids([0x61, 0xFF, 0x62])) == "a\u{FFFD}b")
        #expect(try tokenizer.decode(ids([0x97, 0x61])) == "\u{FFFD}a")
    }

    @Test func invalidIDsAreErrors() throws {
        let tokenizer = try V.tokenizer()
        #expect(throws: TokenizerError.invalidTokenID(id: 256, vocabularySize: 256)) { try tokenizer.decode([97, 256]) }
        #expect(throws: TokenizerError.invalidTokenID(id: -1, vocabularySize: 256)) { try tokenizer.decode([-1]) }
        #expect(tokenizer.token(for: 256) == nil && tokenizer.token(for: 98) == "b")
        #expect(tokenizer.id(of: "b") == 98 && tokenizer.id(of: "Ġ") == 32 && tokenizer.id(of: "nope") == nil)
    }

    @Test func badVocabulariesAreRejected() throws {
        #expect(throws: TokenizerError.malformedMerge(rank: 0, merge: "ab")) { try V.tokenizer(extra: ["ab"], merges: ["ab"]) }
        #expect(throws: TokenizerError.mergeTokenNotInVocabulary(rank: 1, merge: "b c", token: "bc")) {
            try V.tokenizer(extra: ["ab"], merges: ["a b", "b c"])
        }
        #expect(throws: TokenizerError.duplicateToken(token: "a", firstID: 97, secondID: 256)) { try V.tokenizer(extra: ["a"]) }
        #expect(throws: TokenizerError.tokenTypeCountMismatch(tokens: 257, tokenTypes: 258)) {
            try V.tokenizer(extra: ["x y"], types: [1, 1])
        }
        #expect(throws: TokenizerError.invalidTokenType(id: 256, value: 9)) { try V.tokenizer(extra: ["xy"], types: [9]) }
        #expect(throws: TokenizerError.specialTokenIDOutOfRange(name: "EOS", id: 300, vocabularySize: 256)) {
            try V.tokenizer(eos: 300)
        }
        #expect(throws: TokenizerError.addedTokenNotInVocabulary(token: "<x>")) { try V.tokenizer(added: ["<x>"]) }
    }

    @Test func bytesWithoutATokenAreDroppedAndDoNotBridgeMerges() throws {
        // Byte 0x04 has no token (as in SmolLM2); the dots around it must not merge into "..".
        var tokens = ByteLevelVocabulary.tokens + [".."]
        tokens[4] = "<unused4>"
        let tokenizer = try BPETokenizer(
            tokens: tokens, merges: [". ."], tokenTypes: nil, preTokenizer: .gpt2,
            bosTokenID: nil, eosTokenID: nil, addedTokens: nil)
        let dot = V.byteID(".")
        #expect(try tokenizer.encode("..") == [256])
        #expect(try tokenizer.encode(".\u{4}.") == [dot, dot])
        let encoded = try tokenizer.encodeWithOffsets("x\u{4}\u{4}..")
        #expect(encoded.ids == [V.byteID("x"), 256])
        #expect(encoded.utf8Ranges == [0..<1, 3..<5])
    }

    @Test func ignoringMergesEmitsWholeVocabularyPieces() throws {
        // "abc" is a token but no merge reaches it: only ignore_merges produces it.
        let extra = ["ab", "abc"]
        let merging = try V.tokenizer(extra: extra, merges: ["a b"], preTokenizer: .llama3)
        #expect(merging.ignoresMerges)
        #expect(try merging.encode("abc") == [257])
        let strict = try BPETokenizer(
            tokens: ByteLevelVocabulary.tokens + extra, merges: ["a b"], tokenTypes: nil, preTokenizer: .llama3,
            bosTokenID: nil, eosTokenID: nil, addedTokens: nil, ignoreMerges: false)
        #expect(try strict.encode("abc") == [256, V.byteID("c")])
    }
}
