import Foundation
import Testing
@testable import QuenchTrain

/// The `latest` pointer of a checkpoint folder: whitespace an editor adds is ignored, anything that is
/// not a checkpoint folder's name is refused naming the pointer, a corrupt state names its file.
@Suite struct CheckpointPointerTests {
    let directory: URL
    let saved = Checkpoint(step: 3, cursor: DataCursor(epoch: 0, position: 6), configHash: "abc", method: .lora)

    init() throws {
        directory = try DataTestSupport.directory()
        let folder = directory.appendingPathComponent("checkpoint-00000003")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try JSONEncoder().encode(saved).write(to: folder.appendingPathComponent(Checkpoint.stateFile))
    }

    func point(to text: String) throws {
        try Data(text.utf8).write(to: directory.appendingPathComponent(Checkpoint.latestFile))
    }

    @Test func aTrailingNewlineIsIgnored() throws {
        try point(to: "checkpoint-00000003\n")
        let (checkpoint, folder) = try #require(try Checkpoint.latest(under: directory))
        #expect(checkpoint == saved && folder.lastPathComponent == "checkpoint-00000003")
    }

    @Test(arguments: ["../../etc", "checkpoint-", "checkpoint-12/../x", "", "checkpoint-0000000a"])
    func aNameThatIsNoCheckpointFolderIsRefusedNamingThePointer(_ name: String) throws {
        try point(to: name)
        let error = try #require(throws: TrainingError.self) { try Checkpoint.latest(under: directory) }
        guard case .invalidCheckpoint(let path, _) = error else {
            Issue.record("expected invalidCheckpoint, got \(error)")
            return
        }
        #expect(path.hasSuffix("/latest"))
    }

    @Test func aCorruptStateNamesItsFileAndKey() throws {
        try point(to: "checkpoint-00000003")
        try Data(#"{"step": "three"}"#.utf8)
            .write(to: directory.appendingPathComponent("checkpoint-00000003/\(Checkpoint.stateFile)"))
        let error = try #require(throws: TrainingError.self) { try Checkpoint.latest(under: directory) }
        guard case .invalidCheckpoint(let path, let reason) = error else {
            Issue.record("expected invalidCheckpoint, got \(error)")
            return
        }
        #expect(path.hasSuffix("checkpoint-00000003/state.json") && reason.contains("step"))
    }
}
