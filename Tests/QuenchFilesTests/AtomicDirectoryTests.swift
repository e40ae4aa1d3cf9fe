import Foundation
import QuenchFiles
import QuenchTestSupport
import Testing

/// Folders are written into `.<name>.<pid>.partial` and moved into place whole: a failed write leaves
/// an earlier folder as it was, and nothing half-written under the folder's name or beside it.
@Suite struct AtomicDirectoryTests {
    struct WriteFailed: Error {}

    @Test func aFinishedFolderReplacesTheEarlierOneWhole() throws {
        let folder = try TemporaryDirectory.create("atomic-directory")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: model.appendingPathComponent("old.txt"))
        try AtomicDirectory.write(to: model, replacing: true) { staging in
            #expect(staging.lastPathComponent == ".model.\(getpid()).partial")
            #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty, "an empty folder to fill")
            try Data("new".utf8).write(to: staging.appendingPathComponent("new.txt"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: model.path) == ["new.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model"])
    }

    @Test func aFailedWriteLeavesTheEarlierFolderAsItWasAndNoStaging() throws {
        let folder = try TemporaryDirectory.create("atomic-directory")
        defer { try? FileManager.default.removeItem(at: folder) }
        let adapter = folder.appendingPathComponent("adapter")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: adapter.appendingPathComponent("old.txt"))
        #expect(throws: WriteFailed.self) {
            try AtomicDirectory.write(to: adapter, replacing: true) { staging in
                try Data("half".utf8).write(to: staging.appendingPathComponent("half.txt"))
                throw WriteFailed()
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: adapter.path) == ["old.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["adapter"])
    }

    @Test func withoutReplacingAnExistingFolderIsRefusedAndKept() throws {
        let folder = try TemporaryDirectory.create("atomic-directory")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("old".utf8).write(to: model.appendingPathComponent("old.txt"))
        #expect(throws: AtomicFile.Failure.exists(path: model.path)) {
            try AtomicDirectory.write(to: model, replacing: false) { staging in
                try Data("new".utf8).write(to: staging.appendingPathComponent("new.txt"))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: model.path) == ["old.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["model"])
    }
}
