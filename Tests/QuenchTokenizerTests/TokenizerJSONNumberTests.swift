import Foundation
import QuenchModel
import Testing
@testable import QuenchTokenizer

/// A tokenizer.json number no id can hold was "The given data was not valid JSON." naming no key;
/// the error now names the key holding it and where it is.
@Suite struct TokenizerJSONNumberTests {
    func tokenizer(vocabulary: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokenizer-\(UUID().uuidString).json")
        let text = #"{"model": {"type": "BPE", "vocab": \#(vocabulary), "merges": []}}"#
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test(arguments: ["18446744073709551616", "1e300"])
    func anIdThatFitsNoIntegerNamesItsKey(id: String) throws {
        let url = try tokenizer(vocabulary: #"{"a": 0, "zz": \#(id)}"#)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: url) }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains(url.path) && text.contains("model.vocab.zz") && text.contains(id) && text.contains("line 1"), "\(text)")
    }

    @Test func brokenTextNamesTheByte() throws {
        let url = try tokenizer(vocabulary: #"{"a": 0,"#)
        defer { try? FileManager.default.removeItem(at: url) }
        let error = #expect(throws: TokenizerError.self) { try BPETokenizer(tokenizerJSON: url) }
        #expect(error.map { "\($0)" }?.contains("not valid JSON: expected a string key at byte") == true, "\(String(describing: error))")
    }
}
