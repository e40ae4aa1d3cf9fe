import Foundation
import QuenchFiles
import QuenchSecurity
import Testing
@testable import QuenchRegistry

/// The registry reads its key through the one hardened loader (`SigningKeys.loadPrivateKey`, over
/// `KeyFile`), by default from the same `QuenchHome.signingKey` the sign stage and `quench sign` use.
@Suite struct RegistryKeyTests {
    /// The fixture's registry config without its `signing_key`, so the registry falls back to its home.
    func configWithoutKey(_ fixture: RegistryFixture) throws {
        let text = try String(contentsOf: fixture.configURL, encoding: .utf8)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix("signing_key:") }
        try kept.joined(separator: "\n").write(to: fixture.configURL, atomically: true, encoding: .utf8)
    }

    @Test func withoutAConfiguredKeyTheHomesSigningKeyIsUsed() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try configWithoutKey(fixture)
        let home = QuenchHome(root: fixture.home)
        #expect(throws: RegistryError.signingKeyMissing(path: home.signingKey.path)) { try fixture.registry(as: "trainer-t") }
        let pair = try SigningKeys.createKeyPair(in: home.keys)
        #expect(pair.privateKeyPath == home.signingKey.path)
        let registry = try fixture.registry(as: "trainer-t")
        #expect(try SigningKey.keyID(registry.signingKey.publicKey())
            == SigningKey.keyID(try SigningKeys.loadPublicKey(from: home.signingPublicKey)))
    }

    @Test func aSymbolicLinkInPlaceOfTheKeyIsRefused() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try configWithoutKey(fixture)
        let home = QuenchHome(root: fixture.home)
        try FileManager.default.createDirectory(at: home.keys, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: home.signingKey, withDestinationURL: fixture.root.appendingPathComponent("keys/signing.key"))
        #expect(throws: RegistryError.signingKeyInvalid(
            path: home.signingKey.path, reason: "it is a symbolic link; point the setting at the file itself")) {
            try fixture.registry(as: "trainer-t")
        }
    }
}
