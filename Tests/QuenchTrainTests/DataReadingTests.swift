import Foundation
import QuenchModel
import Testing
@testable import QuenchTrain
@testable import QuenchData
import QuenchTestSupport

@Suite("Data reading")
struct DataReadingTests {
    @Test func formatNamesFormAClosedRegistry() throws {
        #expect(try DatasetFormat(name: "prompt_completion") == .promptCompletion)
        #expect(throws: DatasetError.unknownFormat(name: "sharegpt", known: ["text", "prompt_completion", "chat"])) {
            try DatasetFormat(name: "sharegpt")
        }
    }

    @Test func detectsTheFormatFromTheFirstRecord() throws {
        let chat = try DataTestSupport.file("c.jsonl", #"{"messages": [{"role": "user", "content": "hi"}], "id": 3}"#)
        #expect(try JSONLDataset.records(in: chat, format: nil).format == .chat)
        let pc = try DataTestSupport.file("p.jsonl", #"{"prompt": "a", "completion": "b"}"#)
        let read = try JSONLDataset.records(in: pc, format: nil)
        #expect(read.format == .promptCompletion)
        #expect(read.records == [.promptCompletion(prompt: "a", completion: "b")])
        let neither = try DataTestSupport.file("n.jsonl", "\n" + #"{"input": "a"}"#)
        #expect(throws: DatasetError.undetectableFormat(file: "n.jsonl", line: 2, keys: ["input"])) {
            try JSONLDataset.records(in: neither, format: nil)
        }
        let both = try DataTestSupport.file("b.jsonl", #"{"text": "a", "messages": []}"#)
        #expect(throws: DatasetError.ambiguousFormat(file: "b.jsonl", line: 1, formats: ["text", "chat"])) {
            try JSONLDataset.records(in: both, format: nil)
        }
    }

    @Test func skipsBlankLinesAndReadsCRLFAndAByteOrderMark() throws {
        let url = try DataTestSupport.file(
            "t.jsonl", "\u{FEFF}{\"text\": \"one\"}\r\n\r\n   \n{\"text\": \"two\"}\r\n{\"text\": \"three\"}")
        let read = try JSONLDataset.records(in: url, format: .text)
        #expect(read.records == [.text("one"), .text("two"), .text("three")])
        var lines: [Int] = []
        try JSONLDataset.forEachRecord(in: url, format: nil) { _, location in lines.append(location.line) }
        #expect(lines == [1, 4, 5])
    }

    @Test func streamsLinesAcrossBlockBoundaries() throws {
        // ~3 MiB: lines straddle the reader's 1 MiB blocks.
        let count = 40_000
        let text = (0..<count).map { #"{"text": "record number \#($0) with some padding text"}"# }
            .joined(separator: "\n")
        let url = try DataTestSupport.file("big.jsonl", text)
        var seen = 0
        var lastText = ""
        let result = try JSONLDataset.forEachRecord(in: url, format: nil) { record, location in
            seen += 1
            #expect(location.line == seen)
            if case .text(let body) = record { lastText = body }
        }
        #expect(result.records == count && seen == count)
        #expect(lastText == "record number \(count - 1) with some padding text")
    }

    @Test func errorsNameFileLineAndKey() throws {
        let lines = [#"{"prompt": "a", "completion": "b"}"#, "", #"{"prompt": "a", "completion": 5}"#]
        let url = try DataTestSupport.file("train.jsonl", lines.joined(separator: "\n"))
        let error = try #require(throws: DatasetError.self) { try JSONLDataset.records(in: url, format: nil) }
        #expect(error == .wrongType(file: "train.jsonl", line: 3, key: "completion", expected: "a string"))
        #expect(error.description == "train.jsonl:3: key 'completion' must be a string")
    }

    @Test(arguments: [
        (#"{"prompt": "a"}"#, DatasetError.missingKey(file: "d.jsonl", line: 2, key: "completion", format: "prompt_completion")),
        (#"{"prompt": "a", "completion": "b""#, nil),
        (#"[1, 2]"#, DatasetError.notAnObject(file: "d.jsonl", line: 2, found: "an array")),
        (#"{"text": "a"}"#, DatasetError.missingKey(file: "d.jsonl", line: 2, key: "prompt", format: "prompt_completion")),
    ] as [(String, DatasetError?)])
    func rejectsBadPromptCompletionLines(line: String, expected: DatasetError?) throws {
        let url = try DataTestSupport.file("d.jsonl", #"{"prompt": "p", "completion": "c"}"# + "\n" + line + "\n")
        let error = try #require(throws: DatasetError.self) { try JSONLDataset.records(in: url, format: nil) }
        if let expected {
            #expect(error == expected)
        } else {
            guard case .notJSON(let file, let number, _) = error else {
                Issue.record("expected notJSON, got \(error)")
                return
            }
            #expect(file == "d.jsonl" && number == 2)
        }
    }

    @Test func refusesUTF16LinesTheDataScanCannotRead() throws {
        let url = try TemporaryDirectory.create("data").appendingPathComponent("u16.jsonl")
        try #require(#"{"prompt": "p", "completion": "c"}"#.data(using: .utf16LittleEndian)).write(to: url)
        let error = try #require(throws: DatasetError.self) { try JSONLDataset.records(in: url, format: nil) }
        guard case .notJSON(let file, let line, let reason) = error else {
            Issue.record("expected notJSON, got \(error)")
            return
        }
        #expect(file == "u16.jsonl" && line == 1 && reason.contains("UTF-8"))
    }

    @Test func rejectsBadChatMessages() throws {
        func error(_ messages: String) throws -> DatasetError {
            let url = try DataTestSupport.file("chat.jsonl", "{\"messages\": \(messages)}\n")
            return try #require(throws: DatasetError.self) { try JSONLDataset.records(in: url, format: .chat) }
        }
        #expect(try error(#"[{"role": "user", "content": "a"}, {"role": "tool", "content": "b"}]"#)
            == .unknownRole(file: "chat.jsonl", line: 1, key: "messages[1].role", role: "tool",
                            known: ["system", "user", "assistant"]))
        #expect(try error(#"[{"role": "user"}]"#)
            == .missingKey(file: "chat.jsonl", line: 1, key: "messages[0].content", format: "chat"))
        #expect(try error(#"[{"role": "user", "content": null}]"#)
            == .wrongType(file: "chat.jsonl", line: 1, key: "messages[0].content", expected: "a string"))
        #expect(try error(#"[]"#) == .wrongType(file: "chat.jsonl", line: 1, key: "messages",
                                                expected: "a non-empty array of {\"role\", \"content\"} objects"))
        #expect(try error(#"["hi"]"#) == .wrongType(file: "chat.jsonl", line: 1, key: "messages[0]",
                                                    expected: "an object with 'role' and 'content'"))
    }

    @Test func rejectsEmptyAndMissingFiles() throws {
        let url = try DataTestSupport.file("empty.jsonl", "\n  \n")
        #expect(throws: DatasetError.empty(file: "empty.jsonl")) { try JSONLDataset.records(in: url, format: .text) }
        let missing = url.deletingLastPathComponent().appendingPathComponent("absent.jsonl")
        #expect(throws: DatasetError.unreadable(file: missing.path, reason: "no such file or directory")) {
            try JSONLDataset.records(in: missing, format: .text)
        }
    }

    @Test func fingerprintHashesTheFileAndCountsRecords() throws {
        let url = try DataTestSupport.file("f.jsonl", "{\"text\": \"abc\"}\n\n{\"text\": \"d\"}\n")
        let dataset = try TokenizedDataset.load(url, format: nil, tokenizer: ExampleTokenizer(tokenizer: DataTestSupport.tokenizer()))
        // sha256 of the exact bytes above, computed independently with `sha256sum`.
        #expect(dataset.fingerprint == DatasetFingerprint(
            file: "f.jsonl", sha256: "9f6635d2a137fa95f8b34ac3fe5ded66d5a018b6945ccc945d7d101a08d1e6f8", records: 2, format: .text))
    }
}
