import Foundation
import QuenchConfig
import QuenchRegistry
import QuenchTestSupport
import Testing
@testable import QuenchRegistryServer

/// `HOME/server.yaml`: read with the config schema (every problem with its line and key), refused when
/// someone else could change it, absent meaning API tokens only.
@Suite struct OIDCServerConfigTests {
    let directory: TemporaryDirectory
    let home: URL

    init() throws {
        directory = try TemporaryDirectory("server-config")
        home = directory.url.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    var path: String { home.appendingPathComponent("server.yaml").path }

    @Test func noFileMeansNoOIDC() throws {
        #expect(try ServerConfig.load(home: home).oidc == nil)
    }

    @Test func theOIDCSectionIsRead() throws {
        try OIDCTestIssuer.writeConfig(OIDCTestIssuer.serverYAML(jwks: "keys/jwks.json"), home: home)
        let oidc = try #require(try ServerConfig.load(home: home).oidc)
        #expect(oidc.issuer == OIDCTestIssuer.issuer)
        #expect(oidc.audience == OIDCTestIssuer.audience)
        #expect(oidc.jwks == .file(home.appendingPathComponent("keys/jwks.json").standardizedFileURL))
        #expect(oidc.nameClaim == "sub")
        #expect(oidc.rules == [
            OIDCSettings.RoleRule(claim: "sub", equals: OIDCTestIssuer.trainerSubject, roles: [.trainer]),
            OIDCSettings.RoleRule(claim: "environment", equals: "production", roles: [.approver]),
        ])
        #expect(oidc.roles(for: ["sub": OIDCTestIssuer.trainerSubject, "environment": "production"]) == [.approver, .trainer])
        #expect(oidc.roles(for: ["sub": "repo:org/other:ref:refs/heads/main"]).isEmpty)

        let url = "https://token.actions.example.test/.well-known/jwks"
        try OIDCTestIssuer.writeConfig(OIDCTestIssuer.serverYAML(jwks: url, extra: "  ca_bundle: ca.pem\n  name_claim: repository\n"),
                                       home: home)
        let remote = try #require(try ServerConfig.load(home: home).oidc)
        #expect(remote.jwks == .url(try #require(URL(string: url))))
        #expect(remote.caBundle == home.appendingPathComponent("ca.pem").standardizedFileURL)
        #expect(remote.nameClaim == "repository")
    }

    @Test func everyProblemIsNamedWithItsLineAndKey() throws {
        try OIDCTestIssuer.writeConfig("""
            oidc:
              issuer: https://token.actions.example.test
              jwks: http://issuer.example.test/jwks
              rules:
                - claim: sub
                  equal: repo:org/ml-jobs:ref:refs/heads/main
                  roles: [trainer, deployer]
                - claim: ref
                  equals: refs/heads/main
                  roles: []
            listen: 0.0.0.0:8443

            """, home: home)
        let error = try #require(throws: ConfigFileError.self) { try ServerConfig.load(home: home) }
        let problems = error.problems.map { "\($0.line):\($0.key)" }
        #expect(problems == ["2:oidc.audience", "3:oidc.jwks", "5:oidc.rules.equals", "6:oidc.rules.equal", "7:oidc.rules.roles",
                             "10:oidc.rules.roles", "11:listen"])
        let text = "\(error)"
        #expect(text.contains("\(path):3:"))
        #expect(text.contains("must be an https URL or a file path"))
        #expect(text.contains("did you mean 'equals'?"))
        #expect(text.contains("'deployer'"))
    }

    @Test func anEmptyRuleListIsRefused() throws {
        try OIDCTestIssuer.writeConfig("oidc:\n  issuer: i\n  audience: a\n  jwks: jwks.json\n  rules: []\n", home: home)
        let error = try #require(throws: ConfigFileError.self) { try ServerConfig.load(home: home) }
        #expect("\(error)".contains("\(path):5:10: key 'oidc.rules': must give at least one rule"))
    }

    @Test func anEmptyOIDCSectionIsRefused() throws {
        try OIDCTestIssuer.writeConfig("oidc:\n", home: home)
        let error = try #require(throws: ConfigFileError.self) { try ServerConfig.load(home: home) }
        #expect(error.problems.map(\.key) == ["oidc"])
        #expect("\(error)".contains("\(path):1:"))
        try OIDCTestIssuer.writeConfig("oidc: github\n", home: home)
        let scalar = try #require(throws: ConfigFileError.self) { try ServerConfig.load(home: home) }
        #expect(scalar.problems.map(\.key) == ["oidc"])
    }

    @Test func aConfigOthersMayChangeIsRefused() throws {
        try OIDCTestIssuer.writeConfig(OIDCTestIssuer.serverYAML(jwks: "jwks.json"), home: home, permissions: 0o620)
        let error = try #require(throws: ConfigFileError.self) { try ServerConfig.load(home: home) }
        #expect(error == .unreadable(file: path, reason: "it has mode 620, so other users may change it and give themselves roles; "
            + "run `chmod go-w \(path)`"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        #expect(try ServerConfig.load(home: home).oidc != nil)
    }
}
