import Foundation
import Testing
@testable import QuenchFiles
import QuenchTestSupport

/// `AtomicFile` is the one writer: the file appears whole under its name with exactly the mode asked
/// for, an existing file is kept when a write fails or must not replace it, and no temporary file is
/// left behind either way.
@Suite struct AtomicFileTests {
    let scratch: TemporaryDirectory
    var root: URL { scratch.url }

    init() throws {
        scratch = try TemporaryDirectory("atomic")
    }

    /// The names in `root`'s folder `folder`, hidden temporary files included.
    func names(in folder: URL? = nil) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: (folder ?? root).path).sorted()
    }

    func mode(_ url: URL) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test func writesTheWholeFileWithExactlyTheModeAskedFor() throws {
        let secret = root.appendingPathComponent("keys/signing.key")
        let previous = umask(0o077)
        defer { umask(previous) }
        try AtomicFile.write(Data("secret\n".utf8), to: secret, permissions: 0o600)
        let shared = root.appendingPathComponent("shared.txt")
        try AtomicFile.write(Data("hello".utf8), to: shared, permissions: 0o644)
        #expect(try Data(contentsOf: secret) == Data("secret\n".utf8))
        #expect(try mode(secret) == 0o600)
        #expect(try mode(shared) == 0o644, "the umask does not narrow the mode asked for")
        #expect(try names() == ["keys", "shared.txt"])
        #expect(try names(in: secret.deletingLastPathComponent()) == ["signing.key"])
    }

    @Test func replacesAnOldFileOrRefusesToWhenAskedNotTo() throws {
        let url = root.appendingPathComponent("state.json")
        try AtomicFile.write(Data("old".utf8), to: url)
        try AtomicFile.write(Data("new".utf8), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "new")
        #expect(throws: AtomicFile.Failure.exists(path: url.path)) {
            try AtomicFile.write(Data("other".utf8), to: url, replacing: false)
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == "new")
        #expect(try names() == ["state.json"])
    }

    @Test func aWriterDroppedBeforeCommitLeavesTheOldFileAndNoTemporary() throws {
        let url = root.appendingPathComponent("data.jsonl")
        try AtomicFile.write(Data("kept\n".utf8), to: url)
        do {
            let writer = try AtomicFile.Writer(destination: url)
            try writer.write(Data("half a fi".utf8))
            #expect(try names().count == 2, "the temporary file sits beside the destination")
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == "kept\n")
        #expect(try names() == ["data.jsonl"])
    }

    @Test func streamsMoreThanItsBufferInOrder() throws {
        let url = root.appendingPathComponent("big.bin")
        let writer = try AtomicFile.Writer(destination: url)
        var expected = Data()
        for chunk in [1000, AtomicFile.Writer.bufferBytes, 7, AtomicFile.Writer.bufferBytes * 2 + 3, 1] {
            let bytes = (0..<chunk).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ expected.count) }
            expected.append(contentsOf: bytes)
            try writer.write(bytes)
        }
        try writer.commit()
        #expect(try Data(contentsOf: url) == expected)
        #expect(throws: AtomicFile.Failure.unwritable(path: url.path, reason: "already committed")) { try writer.commit() }
    }

    @Test func aFolderThatCannotBeMadeIsNamedWithTheReason() throws {
        let blocker = root.appendingPathComponent("runs")
        try Data("a file, not a folder".utf8).write(to: blocker)
        let url = blocker.appendingPathComponent("run-1/state.json")
        #expect(throws: AtomicFile.Failure.unwritable(path: url.path, reason: "\(blocker.path) is not a directory")) {
            try AtomicFile.write(Data("{}".utf8), to: url)
        }
        #expect(try names() == ["runs"])
    }

    @Test func aWriterToldNotToCreateTheFolderRefusesAMissingOne() throws {
        let url = root.appendingPathComponent("missing/model.safetensors")
        #expect(throws: AtomicFile.Failure.unwritable(path: url.path, reason: "no such file or directory")) {
            try AtomicFile.Writer(destination: url, creatingFolder: false)
        }
        #expect(try names().isEmpty)
    }

    @Test func writesJSONPrettySortedWithANewline() throws {
        struct Record: Encodable { let path = "a/b"; let loss = Double.infinity; let at = Date(timeIntervalSince1970: 0) }
        let url = root.appendingPathComponent("record.json")
        try AtomicFile.writeJSON(Record(), to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == """
            {
              "at" : "1970-01-01T00:00:00Z",
              "loss" : "inf",
              "path" : "a/b"
            }

            """)
    }
}
