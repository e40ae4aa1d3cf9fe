import Foundation
import QuenchRegistry
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// `quench verify DIR --registry URL` checks a model directory with the key this client pinned for the
    /// server, so a copy signed by anyone else is refused.
    @Suite struct ClientPinnedKeyTests {
        func quench(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
            try ProcessRunner.run(RegistryServerProcess.binary, arguments, environment: environment)
        }

        @Test func aCopyVerifiesWithThePinnedKeyAndOneSignedByAnotherKeyDoesNot() throws {
            let fixture = try ClientFixture()
            let version = try fixture.client(as: "trainer-t").register(try fixture.candidate())
            let environment = fixture.environment(as: "approver-a")
            let copies = fixture.server.directory.url.appendingPathComponent("copies")
            let copy = copies.appendingPathComponent("support-bot-1")
            try FileManager.default.createDirectory(at: copies, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: version.artifactDirectory), to: copy)

            let unwitnessed = try quench(["verify", copy.path], environment.merging(["XDG_STATE_HOME": copies.appendingPathComponent("fresh-state").path]) { $1 })
            #expect(unwitnessed.status != 0)
            #expect(unwitnessed.standardError.contains("no key is pinned"), "\(unwitnessed.output)")

            _ = try quench(["registry", "list"], environment).checked("quench registry list")
            let verified = try quench(["verify", copy.path, "--json"], environment).checked("quench verify with the pinned key")
            #expect(verified.standardOutput.contains("\"files\""), "\(verified.output)")

            let keys = copies.appendingPathComponent("other-keys")
            _ = try quench(["keygen", "--out", keys.path], environment).checked("quench keygen")
            _ = try quench(["sign", copy.path, "--key", keys.appendingPathComponent("signing.key").path], environment)
                .checked("quench sign with another key")
            let forged = try quench(["verify", copy.path, "--registry", fixture.server.server.url], environment)
            #expect(forged.status != 0, "\(forged.output)")
            #expect(try quench(["verify", copy.path, "--key", keys.appendingPathComponent("signing.pub").path], environment).status == 0)
        }
    }
}
