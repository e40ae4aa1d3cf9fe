import Foundation
@testable import QuenchJobs
import QuenchSecurity
import Testing

/// The fetch stage lists a local model's files with their hashes, and its inputs follow the model.
@Suite struct FetchStageTests {
    @Test func aLocalModelFolderIsListedWithEveryFileHashed() throws {
        let fixture = try StageFixture()
        let fetch = try #require(try fixture.run(through: .fetch).fetch)
        let model = fixture.folder.appendingPathComponent("tiny-llama").standardizedFileURL
        #expect(fetch.source == "local")
        #expect(fetch.location == model.path)
        #expect(fetch.files.map { URL(fileURLWithPath: $0.path).lastPathComponent }
                == ["config.json", "model.safetensors", "tokenizer.json"])
        for file in fetch.files {
            #expect(file.sha256 == (try FileDigest.sha256(of: URL(fileURLWithPath: file.path))))
        }
    }

    @Test func aMissingLocalModelIsRefusedNamingIt() throws {
        let fixture = try StageFixture()
        let missing = fixture.folder.appendingPathComponent("absent.gguf").path
        let error = #expect(throws: RunError.self) {
            try FetchStage(model: .local(path: missing, pins: [:])).run { _ in }
        }
        #expect("\(String(describing: error))".contains(missing))
    }

    @Test func itsInputsChangeWhenTheModelFileChanges() throws {
        let fixture = try StageFixture()
        let file = try fixture.directory.file("model.gguf", lines: ["weights"])
        let stage = FetchStage(model: .local(path: file.path, pins: [:]))
        let before = try stage.inputs()
        try fixture.directory.file("model.gguf", lines: ["other weights"])
        #expect(try stage.inputs() != before)
    }
}
