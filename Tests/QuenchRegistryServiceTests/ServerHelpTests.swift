import Foundation
import QuenchTestSupport
import Testing
@testable import QuenchRegistryServer

/// `quench registry serve --help` documents the server's configuration, and its server.yaml example is one
/// the server reads.
@Suite struct ServerHelpTests {
    /// The help text, run as a user would.
    func help() throws -> String {
        try ProcessRunner.run(RegistryServerProcess.binary, ["registry", "serve", "--help"])
            .checked("quench registry serve --help").standardOutput
    }

    @Test func theServerYAMLExampleIsAValidConfiguration() throws {
        let lines = try help().components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("  oidc:") })
        let example = lines[start...].prefix { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { String($0.dropFirst(2)) }.joined(separator: "\n")
        let directory = try TemporaryDirectory("serve-help")
        let file = directory.url.appendingPathComponent("server.yaml")
        try Data((example + "\n").utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let oidc = try #require(try ServerConfig.load(home: directory.url).oidc)
        #expect(oidc.issuer == "https://token.actions.githubusercontent.com")
        #expect(oidc.audience == "quench-registry")
        #expect(oidc.jwks == .url(try #require(URL(string: "https://token.actions.githubusercontent.com/.well-known/jwks"))))
        #expect(oidc.rules == [OIDCSettings.RoleRule(claim: "sub", equals: "repo:org/ml-jobs:ref:refs/heads/main", roles: [.trainer])])
    }

    @Test func theDatabaseURLAndItsPasswordAreDescribed() throws {
        let text = try help().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("postgres://USER@HOST[:PORT]/DB[?tls=require|disable][&tls_ca=CA.pem]"))
        #expect(text.contains("--database-password-file (a 0600 file) or QUENCH_REGISTRY_DATABASE_PASSWORD"))
        #expect(text.contains("TLS is required unless the host is loopback"))
        #expect(text.contains("OIDC JWTs"))
    }
}
