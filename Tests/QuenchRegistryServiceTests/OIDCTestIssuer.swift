import Crypto
import Foundation

/// A stand-in OIDC issuer: a P-256 key, the JWKS publishing it, and ES256 tokens it signs, so the tests
/// hold every key a forger or an honest CI provider would.
struct OIDCTestIssuer {
    static let issuer = "https://token.actions.example.test"
    static let audience = "quench-registry"
    /// The subject the trainer rule of `serverYAML` names.
    static let trainerSubject = "repo:org/ml-jobs:ref:refs/heads/main"

    let kid: String
    private let key = P256.Signing.PrivateKey()

    init(kid: String = "key-1") {
        self.kid = kid
    }

    /// This issuer's public key as one JWK.
    var jwk: [String: Any] {
        let point = key.publicKey.rawRepresentation
        return ["kty": "EC", "crv": "P-256", "kid": kid, "use": "sig", "alg": "ES256",
                "x": Self.base64URL(point.prefix(32)), "y": Self.base64URL(point.suffix(32))]
    }

    /// A JWKS document holding the keys of `issuers`.
    static func jwks(_ issuers: [OIDCTestIssuer]) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["keys": issuers.map(\.jwk)], options: [.sortedKeys])
    }

    /// A token valid for five minutes for the trainer subject, with `changes` applied (nil removes a claim).
    func token(_ changes: [String: Any?] = [:], header: [String: Any]? = nil) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = [
            "iss": Self.issuer, "aud": Self.audience, "sub": Self.trainerSubject, "iat": now, "exp": now + 300,
            "repository": "org/ml-jobs",
        ]
        for (name, value) in changes { claims[name] = value }
        let head = header ?? ["alg": "ES256", "typ": "JWT", "kid": kid]
        let input = Self.base64URL(try JSONSerialization.data(withJSONObject: head, options: [.sortedKeys])) + "."
            + Self.base64URL(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys]))
        let signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        return input + "." + Self.base64URL(signature)
    }

    /// `server.yaml` for this issuer with the keys at `jwks`: the trainer subject earns trainer, a token
    /// whose `environment` is `production` earns approver.
    static func serverYAML(jwks: String, extra: String = "") -> String {
        """
        oidc:
          issuer: \(issuer)
          audience: \(audience)
          jwks: \(jwks)
        \(extra)  rules:
            - claim: sub
              equals: "\(trainerSubject)"
              roles: [trainer]
            - claim: environment
              equals: production
              roles: [approver]

        """
    }

    /// A server home holding `jwks.json` with `issuers`' keys and a `server.yaml` pointing at it (0600).
    static func home(in directory: URL, issuers: [OIDCTestIssuer]) throws -> URL {
        let home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try jwks(issuers).write(to: home.appendingPathComponent("jwks.json"))
        try writeConfig(serverYAML(jwks: "jwks.json"), home: home)
        return home
    }

    /// Writes `text` as the server.yaml of `home` with `permissions`.
    static func writeConfig(_ text: String, home: URL, permissions: Int = 0o600) throws {
        let url = home.appendingPathComponent("server.yaml")
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: permissions], ofItemAtPath: url.path)
    }

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
