import Foundation
import QuenchFiles
import Testing
import QuenchTestSupport

/// `RegularFile` opens without blocking and checks the open descriptor: FIFOs, directories and
/// links (when asked) are refused at once, naming the path and what it is.
@Suite struct RegularFileTests {
    let root: URL

    init() throws {
        root = try TemporaryDirectory.create("files")
    }

    func file(_ name: String, _ contents: String, mode: Int = 0o644) throws -> URL {
        let url = root.appendingPathComponent(name)
        try #require(FileManager.default.createFile(atPath: url.path, contents: Data(contents.utf8), attributes: [.posixPermissions: mode]))
        return url
    }

    @Test func readsARegularFileWhole() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try file("a.txt", "hello\nworld")
        let opened = try RegularFile(path: url.path)
        #expect(opened.size == 11)
        #expect(try opened.readAll() == Data("hello\nworld".utf8))
        #expect(try RegularFile.text(of: url.path) == "hello\nworld")
    }

    @Test(.timeLimit(.minutes(1))) func aFIFOIsRefusedAtOnceNamingIt() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let fifo = root.appendingPathComponent("data.jsonl")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        let failure = RegularFile.Failure.notRegular(path: fifo.path, type: "a FIFO (named pipe)")
        #expect(throws: failure) { try RegularFile(path: fifo.path) }
        #expect(failure.description == "\(fifo.path): it is a FIFO (named pipe), not a regular file")
        #expect(throws: failure) { try RegularFile.contents(of: fifo.path) }
    }

    @Test func aDirectoryAndAMissingFileAreNamed() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: RegularFile.Failure.notRegular(path: root.path, type: "a directory")) { try RegularFile(path: root.path) }
        let missing = root.appendingPathComponent("none")
        #expect(throws: RegularFile.Failure.missing(path: missing.path)) { try RegularFile(path: missing.path) }
    }

    @Test func linksAreRefusedOnlyWhenAsked() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let target = try file("target", "x")
        let link = root.appendingPathComponent("link")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(try RegularFile.contents(of: link.path) == Data("x".utf8))
        #expect(throws: RegularFile.Failure.symbolicLink(path: link.path)) { try RegularFile(path: link.path, followingLinks: false) }
    }

    @Test func sizeAndPrivacyLimitsAreChecked() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try file("big", String(repeating: "b", count: 100), mode: 0o640)
        #expect(throws: RegularFile.Failure.tooLarge(path: url.path, size: 100, limit: 10)) { try RegularFile(path: url.path, limit: 10) }
        #expect(throws: RegularFile.Failure.tooOpen(path: url.path, mode: "640")) { try RegularFile(path: url.path).requirePrivate() }
        let binary = root.appendingPathComponent("bin")
        try #require(FileManager.default.createFile(atPath: binary.path, contents: Data([0xFF, 0xFE, 0x00])))
        #expect(throws: RegularFile.Failure.notText(path: binary.path)) { try RegularFile.text(of: binary.path) }
    }

    @Test func aPartialFileIsCreatedOrReopenedButNeverALink() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let partial = root.appendingPathComponent("x.incomplete")
        let created = try RegularFile(path: partial.path, access: .readWriteCreating(mode: 0o644), followingLinks: false)
        #expect(created.size == 0 && FileManager.default.fileExists(atPath: partial.path))
        let link = root.appendingPathComponent("y.incomplete")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: partial)
        #expect(throws: RegularFile.Failure.symbolicLink(path: link.path)) {
            try RegularFile(path: link.path, access: .readWriteCreating(mode: 0o644), followingLinks: false)
        }
    }

    @Test func linesComeWithNumbersWithoutEndingsOrByteOrderMark() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try file("lines", "\u{FEFF}one\r\n\ntwo\nthree")
        var lines: [String] = []
        let total = try RegularFile(path: url.path).forEachLine(maximumLineBytes: 100, blockSize: 4) { number, bytes in
            lines.append("\(number):" + String(decoding: bytes, as: UTF8.self))
        }
        #expect(lines == ["1:one", "2:", "3:two", "4:three"])
        #expect(total == 18)
    }

    @Test func aLineOverTheLimitIsRefusedWithItsNumber() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let url = try file("long", "short\n" + String(repeating: "x", count: 50))
        #expect(throws: RegularFile.Failure.lineTooLong(path: url.path, line: 2, limit: 16)) {
            try RegularFile(path: url.path).forEachLine(maximumLineBytes: 16, blockSize: 8) { _, _ in }
        }
    }
}
