import Foundation
import QuenchModel
import Testing
@testable import QuenchTrain
@testable import QuenchTokenizer
@testable import QuenchData
import QuenchTestSupport

@Suite("Data tokenization")
struct DataTokenizationTests {
    typealias S = DataTestSupport

    @Test func textScoresEveryTokenAndEndsWithEOS() throws {
        let tokenizer = try ExampleTokenizer(tokenizer: S.tokenizer())
        let example = try tokenizer.tokenize(.text("abc"))
        #expect(example.ids == S.ids("abc") + [S.eos])
        #expect(example.scored == [true, true, true, true])
        let withoutEOS = try ExampleTokenizer(tokenizer: S.tokenizer(eos: false)).tokenize(.text("abc"))
        #expect(withoutEOS.ids == S.ids("abc"))
    }

    @Test func promptCompletionScoresTheCompletionAndEOSOnly() throws {
        let tokenizer = try ExampleTokenizer(tokenizer: S.tokenizer())
        let example = try tokenizer.tokenize(.promptCompletion(prompt: "Q: ab", completion: " cd"))
        #expect(example.ids == S.ids("Q: ab") + S.ids(" cd") + [S.eos])
        #expect(example.scored == [false, false, false, false, false, true, true, true, true])
        #expect(example.scoredTargets == 4)
    }

    @Test func chatScoresAssistantContentAndEndOfTurn() throws {
        let tokenizer = try ExampleTokenizer(tokenizer: S.tokenizer(), chatTemplate: .chatML(defaultSystemMessage: nil))
        let example = try tokenizer.tokenize(.chat([
            ChatMessage(role: "user", content: "hi"), ChatMessage(role: "assistant", content: "yo"),
        ]))
        let user = [S.imStart] + S.ids("user\nhi") + [S.imEnd] + S.ids("\n")
        let header = [S.imStart] + S.ids("assistant\n")
        #expect(example.ids == user + header + S.ids("yo") + [S.imEnd] + S.ids("\n"))
        let expected = Array(repeating: false, count: user.count + header.count) + [true, true, true, false]
        #expect(example.scored == expected)
    }

    @Test func refusesSettingsItCannotHonour() throws {
        #expect(throws: DatasetError.invalidSetting(key: "add_bos", reason: "the tokenizer has no BOS token")) {
            try ExampleTokenizer(tokenizer: S.tokenizer(), addBOS: true)
        }
        let tokenizer = try ExampleTokenizer(tokenizer: S.tokenizer())
        #expect(throws: DatasetError.noChatTemplate) {
            try tokenizer.tokenize(.chat([ChatMessage(role: "user", content: "hi")]))
        }
        let url = try S.file("chat.jsonl", #"{"messages": [{"role": "user", "content": "hi"}]}"#)
        #expect(throws: DatasetError.noChatTemplate) { try TokenizedDataset.load(url, format: nil, tokenizer: tokenizer) }
    }

    @Test(.requiresDemoModel) func smolLM2PromptCompletionLabels() throws {
        let url = DemoModelFile.url
        let bundle = try ModelBundle.open(url)
        let tokenizer = try ExampleTokenizer(bundle: bundle)
        let bpe = tokenizer.tokenizer
        let eos = try #require(bpe.eosTokenID)
        #expect(bpe.token(for: eos) == "<|im_end|>")
        let prompt = "What is the capital of France?\nAnswer:"
        let completion = " Paris is the capital."
        let example = try tokenizer.tokenize(.promptCompletion(prompt: prompt, completion: completion))
        let promptIDs = try bpe.encode(prompt)
        let completionIDs = try bpe.encode(completion)
        #expect(example.ids.map(Int.init) == promptIDs + completionIDs + [eos])
        #expect(example.scored == Array(repeating: false, count: promptIDs.count)
            + Array(repeating: true, count: completionIDs.count + 1))
        let scored = zip(example.ids, example.scored).filter(\.1).map { Int($0.0) }
        #expect(try bpe.decode(scored) == " Paris is the capital.<|im_end|>")
        let unscored = zip(example.ids, example.scored).filter { !$0.1 }.map { Int($0.0) }
        #expect(try bpe.decode(unscored) == prompt)
    }

    @Test(.requiresDemoModel) func smolLM2ChatLabels() throws {
        let url = DemoModelFile.url
        let bundle = try ModelBundle.open(url)
        let tokenizer = try ExampleTokenizer(bundle: bundle)
        let bpe = tokenizer.tokenizer
        let example = try tokenizer.tokenize(.chat([
            ChatMessage(role: "system", content: "Be brief."),
            ChatMessage(role: "user", content: "Hi there"),
            ChatMessage(role: "assistant", content: "Hello! How can I help?"),
            ChatMessage(role: "user", content: "What is 2+2?"),
            ChatMessage(role: "assistant", content: "4"),
        ]))
        #expect(example.ids.count == example.scored.count)
        // The scored tokens form exactly two runs: each assistant reply and its <|im_end|>.
        var runs: [[Int]] = []
        for (index, id) in example.ids.enumerated() where example.scored[index] {
            if index > 0, example.scored[index - 1] { runs[runs.count - 1].append(Int(id)) } else { runs.append([Int(id)]) }
        }
        #expect(try runs.map { try bpe.decode($0) } == ["Hello! How can I help?<|im_end|>", "4<|im_end|>"])
        // Each run follows its "<|im_start|>assistant\n" header, and the "\n" after <|im_end|> is unscored.
        let imEnd = try #require(bpe.id(of: "<|im_end|>"))
        for (index, id) in example.ids.enumerated() where Int(id) == imEnd && example.scored[index] {
            #expect(index + 1 < example.ids.count && !example.scored[index + 1])
        }
        let rendered = ChatTemplate.smolLM2.render([
            ChatMessage(role: "system", content: "Be brief."),
            ChatMessage(role: "user", content: "Hi there"),
            ChatMessage(role: "assistant", content: "Hello! How can I help?"),
            ChatMessage(role: "user", content: "What is 2+2?"),
            ChatMessage(role: "assistant", content: "4"),
        ], addGenerationPrompt: false)
        #expect(try bpe.decode(example.ids.map(Int.init)) == rendered)
    }
}
