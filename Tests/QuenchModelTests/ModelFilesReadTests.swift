import Foundation
import Testing
@testable import QuenchModel
@testable import QuenchTokenizer

/// `ModelBundle.filesRead(in:)` lists exactly the files loading reads: pins on them cover every byte
/// loaded, and nothing else in the folder needs one.
@Suite struct ModelFilesReadTests {
    let scratch: SafetensorsScratch
    init() throws { scratch = try SafetensorsScratch() }

    /// Names a check saw while `body` ran.
    func filesSeen(_ body: () throws -> Void) throws -> Set<String> {
        let seen = SeenFiles()
        try FileCheck { url, _ in seen.insert(url.lastPathComponent) }.reading(body)
        return seen.names
    }

    @Test func aHuggingFaceFolderListsWhatOpeningReads() throws {
        let folder = try VerifiedLoadingTests.tinyLlamaCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{}".utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        try Data("stray".utf8).write(to: folder.appendingPathComponent("reference.safetensors"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent("sub/config.json"))
        let listed = try ModelBundle.filesRead(in: folder)
        #expect(listed.map(\.lastPathComponent) == ["config.json", "model.safetensors", "tokenizer_config.json"])
        #expect(listed.allSatisfy { $0.deletingLastPathComponent().standardizedFileURL.path == folder.standardizedFileURL.path })
        let seen = try filesSeen { _ = try ModelBundle.open(folder) }
        #expect(seen == Set(listed.map(\.lastPathComponent)))
        #expect(try ModelBundle.open(folder).files.map(\.lastPathComponent) == listed.map(\.lastPathComponent))
    }

    @Test func aShardedCheckpointListsItsIndexAndTheShardsItNames() throws {
        let first = "model-00001-of-00002.safetensors", second = "model-00002-of-00002.safetensors"
        try SafetensorsWriter.write([.init(name: "a", shape: [2], values: .f32([1, 2]))], to: scratch.url(second))
        try SafetensorsWriter.write([.init(name: "b", shape: [1], values: .f32([3]))], to: scratch.url(first))
        try SafetensorsWriter.write([.init(name: "c", shape: [1], values: .f32([4]))], to: scratch.url("model-old.safetensors"))
        let index = #"{"weight_map": {"a": "\#(second)", "b": "\#(first)"}}"#
        try Data(index.utf8).write(to: scratch.url(SafetensorsCheckpoint.indexFileName))
        let listed = try SafetensorsCheckpoint.files(in: scratch.directory)
        #expect(listed.map(\.lastPathComponent) == [SafetensorsCheckpoint.indexFileName, first, second])
        let seen = try filesSeen { _ = try SafetensorsCheckpoint(directory: scratch.directory) }
        #expect(seen == Set(listed.map(\.lastPathComponent)))
        #expect(try SafetensorsCheckpoint(directory: scratch.directory).sourceFiles == listed)
    }

    @Test func aGGUFFileIsItsOnlyFileAndOtherPathsAreRefused() throws {
        let gguf = scratch.url("m.gguf")
        try Data("GGUF".utf8).write(to: gguf)
        #expect(try ModelBundle.filesRead(in: gguf) == [gguf])
        let text = scratch.url("m.bin")
        try Data("x".utf8).write(to: text)
        #expect(throws: ModelError.self) { try ModelBundle.filesRead(in: text) }
        let empty = scratch.url("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        #expect(throws: SafetensorsError.noCheckpoint(directory: empty.path)) { try ModelBundle.filesRead(in: empty) }
    }

    /// A tensor error names the safetensors file holding the tensor, not just the folder's last component.
    @Test func tensorErrorsNameTheFullPathOfTheirFile() throws {
        let folder = try VerifiedLoadingTests.tinyLlamaCopy()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"intermediate_size\": 160", with: "\"intermediate_size\": 161").utf8).write(to: config)
        let error = try #require(throws: ModelError.self) { try ModelBundle.open(folder) }
        guard case .tensorShape(let file, _, _, _) = error else { Issue.record("\(error)"); return }
        #expect(file == folder.appendingPathComponent("model.safetensors").path)
    }
}
