import Foundation
import Testing
@testable import QuenchModel
@testable import QuenchTokenizer
import QuenchTestSupport

/// tokenizer.json errors name the file and the key of the value at fault.
@Suite struct TokenizerJSONErrorKeyTests {
    typealias Sample = TokenizerJSONTests

    @Test func aMergeNamingAMissingTokenNamesItsIndex() throws {
        let url = try Sample.write(Sample.sample(merges: [["Ġ", "h"], ["h", "i"]]))
        defer { Sample.remove(url) }
        let error = try #require(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: url) }
        guard case .invalidTokenizerJSON(let path, let key, let reason) = error else { Issue.record("\(error)"); return }
        #expect(path == url.path && key == "model.merges[1]" && reason.contains("\"hi\""), "\(error)")
    }

    @Test func anAddedTokenRepeatingAVocabularyTokenNamesIt() throws {
        var json = Sample.sample(merges: [String]())
        json["added_tokens"] = [["id": 258, "content": "<|end|>", "special": true], ["id": 259, "content": "Ġh", "special": false]]
        let url = try Sample.write(json)
        defer { Sample.remove(url) }
        let error = try #require(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: url) }
        guard case .invalidTokenizerJSON(url.path, "added_tokens[1]", _) = error else { Issue.record("\(error)"); return }
    }

    @Test func anOutOfRangeIDSaysSoRatherThanMissing() throws {
        var json = Sample.sample(merges: [String]())
        json["added_tokens"] = [["id": 258, "content": "<|end|>", "special": true], ["id": 70_000, "content": "<far>"]]
        let url = try Sample.write(json)
        defer { Sample.remove(url) }
        let error = try #require(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: url) }
        let text = "\(error)"
        #expect(text.contains(url.path) && text.contains("added_tokens[1].id") && text.contains("out of range 0..<260")
                && !text.contains("missing or malformed"), "\(text)")
    }

    /// BOS/EOS come from tokenizer_config.json: a token the vocabulary lacks is reported at its key there.
    @Test func aSpecialTokenMissingFromTheVocabularyNamesTokenizerConfig() throws {
        let folder = try SharedFixtures.copy(["config.json", "model.safetensors"], of: "tiny-llama")
        defer { try? FileManager.default.removeItem(at: folder) }
        try JSONSerialization.data(withJSONObject: Sample.sample(merges: [String]()))
            .write(to: folder.appendingPathComponent("tokenizer.json"))
        let config = folder.appendingPathComponent("tokenizer_config.json")
        try Data(#"{"bos_token": "<|end|>", "eos_token": "<nope>"}"#.utf8).write(to: config)
        let error = try #require(throws: ModelError.self) { try ModelBundle.open(folder) }
        guard case .invalidValue(let file, let key, let reason) = error else { Issue.record("\(error)"); return }
        #expect(file == config.path && key == "eos_token" && reason.contains("<nope>") && reason.contains("tokenizer.json"),
                "\(error)")
    }
}
