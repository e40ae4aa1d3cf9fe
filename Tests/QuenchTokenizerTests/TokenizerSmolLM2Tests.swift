import Foundation
import Testing
import QuenchModel
@testable import QuenchTokenizer
import QuenchTestSupport

/// The tokenizer and chat template against the reference outputs for the real SmolLM2 model.
@Suite(.requiresDemoModel) struct TokenizerSmolLM2Tests {
    struct Reference: Decodable {
        struct Case: Decodable {
            let text: String
            let ids: [Int]
            let decoded: String
            let source: String?
        }
        let tokenizerCases: [Case]
        let chatMessages: [ChatMessage]
        let chatRendered: String

        enum CodingKeys: String, CodingKey {
            case tokenizerCases = "tokenizer_cases", chatMessages = "chat_messages", chatRendered = "chat_rendered"
        }
    }

    static func reference() throws -> Reference {
        let data = try Data(contentsOf: SharedFixtures.url("smollm2/reference.json"))
        return try JSONDecoder().decode(Reference.self, from: data)
    }

    /// The SmolLM2 tokenizer (the suite runs only when the model is present).
    static func smolLM2() throws -> (tokenizer: BPETokenizer, metadata: GGUFTokenizerMetadata) {
        try #require(SmolLM2Tokenizer.loaded, "SmolLM2-135M-Instruct is not at \(DemoModelFile.url.path)").get()
    }

    @Test func ggufMetadataDescribesSmolLM2() throws {
        let (tokenizer, metadata) = try Self.smolLM2()
        #expect(metadata.pre == "smollm")
        #expect(tokenizer.preTokenizer == .smollm)
        #expect(tokenizer.vocabularySize == 49152)
        #expect(tokenizer.bosTokenID == 1 && tokenizer.eosTokenID == 2)
        #expect(tokenizer.token(for: 1) == "<|im_start|>")
        #expect(tokenizer.isSpecial(2) && !tokenizer.isSpecial(17))
        #expect(tokenizer.id(of: "Ġthe") != nil)
    }

    @Test func everyReferenceCaseEncodesAndDecodes() throws {
        let (tokenizer, _) = try Self.smolLM2()
        let reference = try Self.reference()
        #expect(reference.tokenizerCases.count == 14)
        for testCase in reference.tokenizerCases {
            let ids = try tokenizer.encode(testCase.text)
            #expect(ids == testCase.ids, "encoding \(String(reflecting: testCase.text)) (\(testCase.source ?? "transformers"))")
            #expect(try tokenizer.decode(testCase.ids) == testCase.decoded)
        }
    }

    @Test func offsetsCoverTheTextExactly() throws {
        let (tokenizer, _) = try Self.smolLM2()
        for testCase in try Self.reference().tokenizerCases {
            let encoded = try tokenizer.encodeWithOffsets(testCase.text, addBOS: true)
            #expect(encoded.ids == [1] + testCase.ids)
            let bytes = Array(testCase.text.utf8)
            var position = 0
            #expect(encoded.utf8Ranges.first == 0..<0)  // the added BOS covers no text
            for (id, range) in zip(encoded.ids, encoded.utf8Ranges).dropFirst() {
                #expect(range.lowerBound == position)
                #expect(Array(bytes[range]) == tokenizer.bytes(for: id))
                position = range.upperBound
            }
            #expect(position == bytes.count)
        }
    }

    @Test func skippingSpecialTokensDropsTheChatMarkers() throws {
        let (tokenizer, _) = try Self.smolLM2()
        let ids = try tokenizer.encode("<|im_start|>user\nHi<|im_end|>\n")
        #expect(try tokenizer.decode(ids, skipSpecialTokens: true) == "user\nHi\n")
    }

    @Test func chatTemplateIsRecognisedAndReproduced() throws {
        let (tokenizer, metadata) = try Self.smolLM2()
        let reference = try Self.reference()
        let template = try ChatTemplate.recognise(try #require(metadata.chatTemplate))
        #expect(template == .smolLM2)
        #expect(template.render(reference.chatMessages, addGenerationPrompt: false) == reference.chatRendered)

        let rendered = template.renderWithAssistantSpans(reference.chatMessages)
        #expect(rendered.text == reference.chatRendered)
        #expect(rendered.assistantRanges.map { String(rendered.text[$0]) } == ["77 degrees Fahrenheit.<|im_end|>"])
        let encoded = try tokenizer.encode(rendered)
        let assistantIDs = zip(encoded.ids, encoded.isAssistant).filter(\.1).map(\.0)
        #expect(try tokenizer.decode(assistantIDs) == "77 degrees Fahrenheit.<|im_end|>")
        #expect(encoded.ids.filter { $0 == 1 }.count == 3)
    }

    /// The same vocabulary written as tokenizer.json (merges as pairs, the smollm pre-tokenizer
    /// spelt as Hugging Face spells it) must tokenize identically.
    @Test func tokenizerJSONFromTheSameVocabularyAgrees() throws {
        let (_, metadata) = try Self.smolLM2()
        let vocab = Dictionary(uniqueKeysWithValues: metadata.tokens.enumerated().map { ($0.element, $0.offset) })
        let added = metadata.tokenTypes.enumerated().filter { $0.element == 3 }.map { id, _ in
            ["id": id, "content": metadata.tokens[id], "special": true] as [String: Any]
        }
        let json: [String: Any] = [
            "version": "1.0", "normalizer": NSNull(), "added_tokens": added,
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": [
                ["type": "Digits", "individual_digits": true],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
            ]],
            "model": ["type": "BPE", "vocab": vocab, "merges": metadata.merges.map { $0.split(separator: " ").map(String.init) }],
        ]
        let directory = try TemporaryDirectory.create("smollm2-json")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("tokenizer.json")
        try JSONSerialization.data(withJSONObject: json).write(to: url)

        let tokenizer = try BPETokenizer(tokenizerJSON: url, bosToken: "<|im_start|>", eosToken: "<|im_end|>")
        #expect(tokenizer.preTokenizer == .smollm)
        #expect(tokenizer.bosTokenID == 1 && tokenizer.eosTokenID == 2)
        for testCase in try Self.reference().tokenizerCases {
            #expect(try tokenizer.encode(testCase.text) == testCase.ids, "\(String(reflecting: testCase.text))")
        }
    }

    /// Without the digit step (plain GPT-2 splitting) the llama.cpp-only cases come out differently,
    /// which is why the pre-tokenizer matters.
    @Test func gpt2SplittingDiffersOnTheDigitCases() throws {
        let (_, metadata) = try Self.smolLM2()
        let gpt2 = try BPETokenizer(
            tokens: metadata.tokens, merges: metadata.merges, tokenTypes: metadata.tokenTypes,
            preTokenizer: .gpt2, bosTokenID: 1, eosTokenID: 2, addedTokens: nil)
        for testCase in try Self.reference().tokenizerCases where testCase.source == "llama.cpp" {
            #expect(try gpt2.encode(testCase.text) != testCase.ids)
        }
    }
}
