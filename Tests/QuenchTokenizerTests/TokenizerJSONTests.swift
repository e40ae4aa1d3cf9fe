import Foundation
import Testing
import QuenchModel
@testable import QuenchTokenizer
import QuenchTestSupport

/// Reading Hugging Face tokenizer.json files written by the tests.
@Suite struct TokenizerJSONTests {
    typealias V = TestVocabulary

    /// Writes `json` as tokenizer.json in a fresh temporary directory and returns its URL.
    static func write(_ json: [String: Any]) throws -> URL {
        let directory = try TemporaryDirectory.create("tokenizer")
        let url = directory.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return url
    }

    static func remove(_ url: URL) { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }

    /// A small byte-level tokenizer.json: bytes, "Ġh", "Ġhi", and two added tokens past the vocab.
    static func sample(merges: Any, preTokenizer: Any? = nil, model: [String: Any] = [:]) -> [String: Any] {
        var vocab = Dictionary(uniqueKeysWithValues: ByteLevelVocabulary.tokens.enumerated().map { ($0.element, $0.offset) })
        vocab["Ġh"] = 256
        vocab["Ġhi"] = 257
        var modelObject: [String: Any] = ["type": "BPE", "vocab": vocab, "merges": merges, "ignore_merges": false]
        modelObject.merge(model) { $1 }
        return [
            "version": "1.0",
            "added_tokens": [
                ["id": 258, "content": "<|end|>", "special": true, "lstrip": false, "rstrip": false],
                ["id": 259, "content": "<tool>", "special": false],
            ],
            "normalizer": NSNull(),
            "pre_tokenizer": preTokenizer ?? ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
            "decoder": ["type": "ByteLevel"],
            "model": modelObject,
        ]
    }

    @Test func roundTripWithPairMerges() throws {
        let url = try Self.write(Self.sample(merges: [["Ġ", "h"], ["Ġh", "i"]]))
        defer { Self.remove(url) }
        let tokenizer = try BPETokenizer(tokenizerJSON: url, eosToken: "<|end|>")
        #expect(tokenizer.vocabularySize == 260)
        #expect(tokenizer.preTokenizer == .gpt2)
        #expect(tokenizer.eosTokenID == 258 && tokenizer.bosTokenID == nil)
        let text = "hi hi<|end|><tool> hi"
        let ids = try tokenizer.encode(text)
        #expect(ids == [V.byteID("h"), V.byteID("i"), 257, 258, 259, 257])
        #expect(try tokenizer.decode(ids) == text)
        #expect(try tokenizer.decode(ids, skipSpecialTokens: true) == "hi hi<tool> hi")
        #expect(tokenizer.isSpecial(258) && !tokenizer.isSpecial(259))
    }

    @Test func stringMergesAndTheKnownPreTokenizerShapes() throws {
        let split = { (regex: String) -> [String: Any] in
            ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": regex], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false],
            ]]
        }
        let shapes: [(Any, PreTokenizer)] = [
            (["type": "Sequence", "pretokenizers": [
                ["type": "Digits", "individual_digits": true],
                ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
            ]], .smollm),
            (split(PreTokenizer.llama3.regex), .llama3),
            (split(PreTokenizer.qwen2.regex), .qwen2),
        ]
        for (shape, expected) in shapes {
            let url = try Self.write(Self.sample(merges: ["Ġ h", "Ġh i"], preTokenizer: shape))
            defer { Self.remove(url) }
            let tokenizer = try BPETokenizer(tokenizerJSON: url)
            #expect(tokenizer.preTokenizer == expected)
            #expect(try tokenizer.encode(" hi") == [257])
        }
    }

    @Test func unknownPreTokenizerNamesTheFileTheKeyAndTheKnownOnes() throws {
        let url = try Self.write(Self.sample(merges: [String](), preTokenizer: ["type": "Whitespace"]))
        defer { Self.remove(url) }
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: url) }
        guard case .invalidTokenizerJSON(let path, let key, let reason)? = error else {
            Issue.record("expected invalidTokenizerJSON, got \(String(describing: error))")
            return
        }
        #expect(path == url.path && key == "pre_tokenizer")
        #expect(reason.contains("\"Whitespace\"") && reason.contains("→ smollm"), "\(reason)")
    }

    @Test func malformedFilesAreErrorsNamingTheProblem() throws {
        let garbage = FileManager.default.temporaryDirectory.appendingPathComponent("quench-garbage-\(UUID()).json")
        try Data("{not json".utf8).write(to: garbage)
        defer { try? FileManager.default.removeItem(at: garbage) }
        #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: garbage) }

        var noVocab = Self.sample(merges: [String]())
        noVocab["model"] = ["type": "BPE", "merges": [String]()]
        let noVocabURL = try Self.write(noVocab)
        defer { Self.remove(noVocabURL) }
        #expect(throws: TokenizerError.malformedTokenizerJSON(path: noVocabURL.path, key: "model.vocab", expected: "a value")) {
            try BPETokenizer(tokenizerJSON: noVocabURL)
        }

        let wordPiece = try Self.write(Self.sample(merges: [String](), model: ["type": "WordPiece"]))
        defer { Self.remove(wordPiece) }
        #expect(throws: TokenizerError.unsupportedTokenizerJSON(path: wordPiece.path, key: "model.type", found: "WordPiece", supported: "BPE")) {
            try BPETokenizer(tokenizerJSON: wordPiece)
        }

        var gap = Self.sample(merges: [String]())
        gap["added_tokens"] = [["id": 9_000_000_000, "content": "<far>", "special": true]]
        let gapURL = try Self.write(gap)
        defer { Self.remove(gapURL) }
        #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: gapURL) }

        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("quench-missing-\(UUID())/tokenizer.json")
        #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: missing) }

        let badBOS = try Self.write(Self.sample(merges: [String]()))
        defer { Self.remove(badBOS) }
        #expect(throws: TokenizerError.specialTokenNotInVocabulary(name: "BOS", token: "<s>")) {
            try BPETokenizer(tokenizerJSON: badBOS, bosToken: "<s>")
        }
    }

    @Test("ids of Int.max, negative or past the vocabulary are refused before any arithmetic on them")
    func hostileIDs() throws {
        var huge = Self.sample(merges: [String]())
        huge["added_tokens"] = [["id": Int.max, "content": "<far>", "special": true]]
        let hugeURL = try Self.write(huge)
        defer { Self.remove(hugeURL) }
        #expect(throws: TokenizerError.invalidTokenizerJSON(
            path: hugeURL.path, key: "added_tokens[0].id",
            reason: "id \(Int.max) is out of range 0..<259 (one id per vocabulary entry and added token)")) {
            try BPETokenizer(tokenizerJSON: hugeURL)
        }
        var negative = Self.sample(merges: [String]())
        var model = try #require(negative["model"] as? [String: Any])
        var vocab = try #require(model["vocab"] as? [String: Int])
        vocab["Ġhi"] = -1
        model["vocab"] = vocab
        negative["model"] = model
        let negativeURL = try Self.write(negative)
        defer { Self.remove(negativeURL) }
        #expect(throws: TokenizerError.invalidTokenizerJSON(
            path: negativeURL.path, key: "model.vocab[\"Ġhi\"]",
            reason: "id -1 is out of range 0..<260 (one id per vocabulary entry and added token)")) {
            try BPETokenizer(tokenizerJSON: negativeURL)
        }
    }

    @Test("invalid JSON is reported with the path and the byte, line and column")
    func invalidJSONNamesTheOffset() throws {
        let url = try Self.write([:])
        defer { Self.remove(url) }
        try Data("{\"model\": {\"vocab\": {\"a\": 0,\n  , }}}".utf8).write(to: url)
        #expect(throws: TokenizerError.unreadableTokenizerJSON(
            path: url.path, reason: "not valid JSON: expected a string key at byte 31 (line 2, column 3)")) {
            try BPETokenizer(tokenizerJSON: url)
        }
    }
}
