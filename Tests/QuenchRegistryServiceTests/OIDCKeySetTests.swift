import Foundation
import QuenchRegistry
import QuenchTestSupport
import Testing
@testable import QuenchRegistryServer

/// The issuer's key set, in process: keys read again on an unknown key id (at most once per interval),
/// and key sets that cannot be trusted refused with the reason.
@Suite struct OIDCKeySetTests {
    let directory: TemporaryDirectory
    let jwksFile: URL

    init() throws {
        directory = try TemporaryDirectory("oidc-keys")
        jwksFile = directory.url.appendingPathComponent("jwks.json")
    }

    func settings() -> OIDCSettings {
        OIDCSettings(issuer: OIDCTestIssuer.issuer, audience: OIDCTestIssuer.audience, jwks: .file(jwksFile),
                     rules: [.init(claim: "sub", equals: OIDCTestIssuer.trainerSubject, roles: [.trainer])])
    }

    @Test func aRotatedKeyIsReadOnItsFirstToken() async throws {
        let old = OIDCTestIssuer(kid: "old")
        let rotated = OIDCTestIssuer(kid: "rotated")
        try OIDCTestIssuer.jwks([old]).write(to: jwksFile)
        let eager = try await OIDCAuthenticator(settings: settings(), refreshInterval: .zero)
        let throttled = try await OIDCAuthenticator(settings: settings())
        #expect(try await eager.identity(forBearer: try rotated.token()) == nil)
        try OIDCTestIssuer.jwks([rotated]).write(to: jwksFile)
        let identity = try await eager.identity(forBearer: try rotated.token())
        #expect(identity == RegistryIdentity(name: "oidc:" + OIDCTestIssuer.trainerSubject, roles: [.trainer], method: .oidc))
        #expect(try await eager.identity(forBearer: try old.token()) == nil)
        #expect(try await throttled.identity(forBearer: try rotated.token()) == nil)
        #expect(try await throttled.identity(forBearer: try old.token()) != nil)
    }

    @Test(.requiresPrograms(NginxServer.programs)) func keysAreFetchedOverVerifiedHTTPS() async throws {
        let www = directory.url.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: www, withIntermediateDirectories: true)
        let certificates = try TestCertificates(in: directory.url)
        let port = try LoopbackPort.free()
        let nginx = try NginxServer(directory: directory.url.appendingPathComponent("nginx"), http: """
                access_log off;
                server {
                    listen 127.0.0.1:\(port) ssl;
                    ssl_certificate \(certificates.certificate.path);
                    ssl_certificate_key \(certificates.key.path);
                    root \(www.path);
                }
            """, port: port)
        defer { nginx.stop() }
        let issuer = OIDCTestIssuer()
        let rotated = OIDCTestIssuer(kid: "key-2")
        try OIDCTestIssuer.jwks([issuer]).write(to: www.appendingPathComponent("jwks.json"))
        let url = try #require(URL(string: "https://127.0.0.1:\(port)/jwks.json"))
        var remote = settings()
        remote.jwks = .url(url)
        let untrusted = await #expect(throws: RegistryServerError.self) { try await OIDCAuthenticator(settings: remote) }
        guard case .jwksUnreadable(url.absoluteString, _)? = untrusted else {
            Issue.record("expected the unverifiable certificate to be refused, got \(String(describing: untrusted))")
            return
        }
        remote.caBundle = certificates.caBundle
        let authenticator = try await OIDCAuthenticator(settings: remote, refreshInterval: .zero)
        #expect(try await authenticator.identity(forBearer: try issuer.token()) != nil)
        try OIDCTestIssuer.jwks([issuer, rotated]).write(to: www.appendingPathComponent("jwks.json"))
        #expect(try await authenticator.identity(forBearer: try rotated.token()) != nil)
        var missing = remote
        missing.jwks = .url(url.deletingLastPathComponent().appendingPathComponent("missing.json"))
        await #expect(throws: RegistryServerError.jwksUnreadable(source: "https://127.0.0.1:\(port)/missing.json",
                                                       reason: "the server answered HTTP 404, expected 200")) {
            try await OIDCAuthenticator(settings: missing)
        }
    }

    @Test func anAPITokenIsNotMistakenForAJWT() {
        #expect(OIDCTokenHeader.parse("qrt_" + String(repeating: "A", count: 43)) == nil)
        #expect(OIDCTokenHeader.parse("a.b") == nil)
        #expect(OIDCTokenHeader.parse("eyJhbGciOiJFUzI1NiJ9..c2ln") == nil)
        #expect(OIDCTokenHeader.parse(String(repeating: "A", count: 20_000) + ".e30.c2ln") == nil)
    }

    @Test func keySetsThatCannotBeTrustedAreRefused() async throws {
        let issuer = OIDCTestIssuer()
        let path = jwksFile.path
        let cases: [(keys: [[String: Any]], reason: String)] = [
            ([], "it holds no signing key"),
            ([issuer.jwk.filter { $0.key != "kid" }], "key 1 has no \"kid\""),
            ([issuer.jwk, issuer.jwk], "two keys have the kid 'key-1'"),
            ([issuer.jwk.merging(["d": "c2VjcmV0"]) { $1 }], "key 'key-1' holds a private key; publish only public keys"),
            ([issuer.jwk.merging(["kty": "oct"]) { $1 }], "key 'key-1' is not a signing key"),
            ([issuer.jwk.merging(["x": "AAAA"]) { $1 }], "key 'key-1' cannot verify ES256 signatures"),
        ]
        for (keys, reason) in cases {
            try JSONSerialization.data(withJSONObject: ["keys": keys]).write(to: jwksFile)
            let error = await #expect(throws: RegistryServerError.self) { try await OIDCAuthenticator(settings: settings()) }
            guard case .jwksInvalid(let source, let text)? = error else { continue }
            #expect(source == path)
            #expect(text.hasPrefix(reason), "\(text)")
        }
        try Data("not json".utf8).write(to: jwksFile)
        await #expect(throws: RegistryServerError.jwksInvalid(source: path, reason: "expected a JSON object whose \"keys\" is a list of keys")) {
            try await OIDCAuthenticator(settings: settings())
        }
        let encryption = issuer.jwk.merging(["use": "enc", "kid": "enc-1"]) { $1 }
        try JSONSerialization.data(withJSONObject: ["keys": [encryption, issuer.jwk]]).write(to: jwksFile)
        let authenticator = try await OIDCAuthenticator(settings: settings())
        #expect(try await authenticator.identity(forBearer: try issuer.token()) != nil)
    }
}
