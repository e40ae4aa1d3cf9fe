import Foundation
import Testing
@testable import QuenchTrain
import QuenchTestSupport

/// The `latest` pointer of a checkpoint folder: whitespace an editor adds is ignored, anything that is
/// not a checkpoint folder's name is refused naming the pointer, a corrupt state names its file.
@Suite struct CheckpointPointerTests {
    let directory: URL
    let saved = Checkpoint(step: 3, cursor: DataCursor(epoch: 0, position: 6), configHash: "abc", method: .lora)

    init() throws {
        directory = try TemporaryDirectory.create("checkpoint")
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

    /// Writes `json` as the state of checkpoint-00000003 and returns the error `latest` throws.
    func refusal(ofState json: String) throws -> (path: String, reason: String) {
        try point(to: "checkpoint-00000003")
        try Data(json.utf8).write(to: directory.appendingPathComponent("checkpoint-00000003/\(Checkpoint.stateFile)"))
        let error = try #require(throws: TrainingError.self) { try Checkpoint.latest(under: directory) }
        guard case .invalidCheckpoint(let path, let reason) = error else {
            Issue.record("expected invalidCheckpoint, got \(error)")
            return ("", "")
        }
        return (path, reason)
    }

    @Test(arguments: [
        (#"{"step": -5, "cursor": {"epoch": 0, "position": 0}, "configHash": "abc", "method": "lora"}"#, "step"),
        (#"{"step": 4, "cursor": {"epoch": 0, "position": 0}, "configHash": "abc", "method": "lora"}"#, "step"),
        (#"{"step": 3, "cursor": {"epoch": -1, "position": 0}, "configHash": "abc", "method": "lora"}"#, "cursor.epoch"),
        (#"{"step": 3, "cursor": {"epoch": 0, "position": -9}, "configHash": "abc", "method": "lora"}"#, "cursor.position"),
    ])
    func aNumberNoRunWritesIsRefusedNamingStateAndKey(_ json: String, _ key: String) throws {
        let (path, reason) = try refusal(ofState: json)
        #expect(path.hasSuffix("checkpoint-00000003/state.json") && reason.contains("at key \(key):"), "\(reason)")
    }

    @Test func aCheckpointPastTheRunsStepsIsRefusedNamingMaxSteps() throws {
        let folder = directory.appendingPathComponent("checkpoint-00000003")
        let error = try #require(throws: TrainingError.self) {
            try Trainer.check(saved, in: folder, totalSteps: 2, accumulation: 1)
        }
        #expect(error == .invalidSetting(key: "max_steps", reason: "the checkpoint \(folder.path) is at step 3, past this "
            + "run's 2 steps; raise max_steps (or epochs) to at least 3, or start without --resume"))
        try Trainer.check(saved, in: folder, totalSteps: 3, accumulation: 1)
    }

    @Test func aCursorFurtherThanItsStepsCouldCarryItIsRefused() throws {
        let far = Checkpoint(step: 3, cursor: DataCursor(epoch: .max, position: 0), configHash: "abc", method: .lora)
        let error = try #require(throws: TrainingError.self) {
            try Trainer.check(far, in: directory.appendingPathComponent("checkpoint-00000003"), totalSteps: 10, accumulation: 2)
        }
        guard case .invalidCheckpoint(let path, let reason) = error else {
            Issue.record("expected invalidCheckpoint, got \(error)")
            return
        }
        #expect(path.hasSuffix("checkpoint-00000003/state.json") && reason.contains("cursor.epoch"))
    }
}

/// The progress line's durations: large counts printed whole, nothing that traps.
@Suite struct MetricsDurationTests {
    @Test func durationsPrintWholeValues() {
        #expect(MetricsLog.duration(187) == "3m07s")
        #expect(MetricsLog.duration(3900) == "1h05m")
        #expect(MetricsLog.duration(1e13) == "2777777777h46m")
    }

    @Test(arguments: [Double.infinity, -Double.infinity, .nan, 1e300, -5])
    func aDurationNoClockGivesIsAQuestionMark(_ seconds: Double) {
        #expect(MetricsLog.duration(seconds) == "?")
    }
}
