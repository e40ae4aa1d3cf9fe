import Foundation
import QuenchTestSupport
import Testing
@testable import QuenchTrain

/// Outputs are written into `.<folder>.partial` and moved into place whole: a failed write leaves an
/// earlier folder as it was, and nothing half-written under the folder's name.
@Suite struct StagedOutputsTests {
    struct WriteFailed: Error {}

    @Test func aFinishedFolderReplacesTheEarlierOneWhole() throws {
        let folder = try TemporaryDirectory.create("staged-outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: model.appendingPathComponent("old.txt"))
        try Trainer.replace(model) { staging in
            #expect(staging.lastPathComponent == ".model.partial")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try Data("new".utf8).write(to: staging.appendingPathComponent("new.txt"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: model.path) == ["new.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model"])
    }

    @Test func aFailedWriteLeavesTheEarlierFolderAsItWas() throws {
        let folder = try TemporaryDirectory.create("staged-outputs")
        defer { try? FileManager.default.removeItem(at: folder) }
        let adapter = folder.appendingPathComponent("adapter")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: adapter.appendingPathComponent("old.txt"))
        #expect(throws: WriteFailed.self) {
            try Trainer.replace(adapter) { staging in
                try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
                try Data("half".utf8).write(to: staging.appendingPathComponent("half.txt"))
                throw WriteFailed()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: adapter.path) == ["old.txt"])
    }
}
