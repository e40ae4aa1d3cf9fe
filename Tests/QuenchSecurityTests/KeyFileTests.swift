import Crypto
import Foundation
import QuenchSecurity
import Testing
import QuenchTestSupport

/// Secret key files are checked on the descriptor that reads them: no link followed, no FIFO waited
/// on, only a regular file of the current user that nobody else may read, of a key's size.
@Suite struct KeyFileTests {
    let root: URL

    init() throws {
        root = try TemporaryDirectory.create("keyfile")
    }

    /// A file under the scratch folder with `contents` and `mode`.
    func file(_ name: String, _ contents: String = "secret key bytes, 32 or so of them", mode: Int = 0o600) throws -> URL {
        let url = root.appendingPathComponent(name)
        try #require(FileManager.default.createFile(atPath: url.path, contents: Data(contents.utf8), attributes: [.posixPermissions: mode]))
        return url
    }

    @Test func aPrivateRegularFileOfTheUserIsRead() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let key = try file("key")
        #expect(try KeyFile.readSecret(key) == Data("secret key bytes, 32 or so of them".utf8))
    }

    @Test func aSymbolicLinkIsNotFollowed() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let pem = SigningKeys.generate().pemRepresentation
        let target = try file("real.key", pem)
        let link = root.appendingPathComponent("signing.key")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        #expect(throws: KeyFile.Failure.symbolicLink(path: link.path)) { try KeyFile.readSecret(link) }
        // The signing key loader goes through it: a planted link is refused, not followed.
        #expect(throws: SigningError.self) { try SigningKeys.loadPrivateKey(from: link) }
    }

    @Test func aFIFOIsRefusedWithoutWaitingForAWriter() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let fifo = root.appendingPathComponent("fifo.key")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        #expect(throws: KeyFile.Failure.notRegular(path: fifo.path, type: "a FIFO (named pipe)")) { try KeyFile.readSecret(fifo) }
        #expect(throws: SigningError.unreadable(path: fifo.path, reason: "it is a FIFO (named pipe), not a regular file")) {
            try SigningKeys.loadPrivateKey(from: fifo)
        }
    }

    @Test func groupOrOtherAccessIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let open = try file("open.key", mode: 0o640)
        #expect(throws: KeyFile.Failure.tooOpen(path: open.path, mode: "640")) { try KeyFile.readSecret(open) }
    }

    @Test func aFileLargerThanAKeyIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let large = try file("large.key", String(repeating: "k", count: 5000))
        #expect(throws: KeyFile.Failure.tooLarge(path: large.path, size: 5000, limit: 4096)) {
            try KeyFile.readSecret(large, limit: 4096)
        }
    }

    @Test func aMissingFileIsNamed() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let missing = root.appendingPathComponent("none.key")
        #expect(throws: KeyFile.Failure.missing(path: missing.path)) { try KeyFile.readSecret(missing) }
    }

    /// Only root can give a file to another user, so the check is exercised when the tests run as root.
    @Test(.enabled(if: geteuid() == 0, "only root can give a file to another user")) func aKeyOwnedBySomeoneElseIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let foreign = try file("foreign.key")
        #expect(chown(foreign.path, 65534, 65534) == 0)
        #expect(throws: KeyFile.Failure.notOwned(path: foreign.path, owner: 65534, user: 0)) { try KeyFile.readSecret(foreign) }
    }
}
