import Foundation
import Testing
@testable import QuenchHub

/// Token sources in order, token-file permissions, and configuration loading.
@Suite struct TokenAndConfigurationTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quench-token-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func tokenFile(_ text: String, mode: Int) throws -> URL {
        let url = directory.appendingPathComponent("token-\(mode)")
        try Data(text.utf8).write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
        return url
    }

    @Test func environmentThenFileThenCommand() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try tokenFile("from-file\n", mode: 0o600)
        let command = ["printf", "from-command"]
        #expect(try TokenSource(environmentToken: HubToken("from-env"), tokenFile: file, tokenCommand: command).resolve()?.token == HubToken("from-env"))
        let fromFile = try TokenSource(environmentToken: nil, tokenFile: file, tokenCommand: command).resolve()
        #expect(fromFile?.token == HubToken("from-file") && fromFile?.origin == "token file \(file.path)")
        let absent = directory.appendingPathComponent("absent")
        #expect(try TokenSource(environmentToken: nil, tokenFile: absent, tokenCommand: command).resolve()?.token == HubToken("from-command"))
        #expect(try TokenSource(environmentToken: nil, tokenFile: absent, tokenCommand: []).resolve() == nil)
    }

    @Test func aTokenFileOthersCanReadIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = try tokenFile("secret-value", mode: 0o644)
        #expect(throws: HubError.tokenFileTooOpen(path: file.path, mode: "644")) {
            try TokenSource(environmentToken: nil, tokenFile: file, tokenCommand: []).resolve()
        }
    }

    @Test func aFailingTokenCommandNeverEchoesItsOutput() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = TokenSource(environmentToken: nil, tokenFile: directory.appendingPathComponent("absent"),
                                 tokenCommand: ["sh", "-c", "echo leaked-secret; exit 3"])
        #expect(throws: HubError.tokenCommandFailed(program: "sh", reason: "it exited with status 3")) { try source.resolve() }
    }

    @Test func tokensAreRedactedWhenPrinted() throws {
        let token = try #require(HubToken("hf_abcdef"))
        #expect(!"\(token)".contains("hf_abcdef") && !String(reflecting: token).contains("hf_abcdef"))
    }

    @Test func configurationReadsTheFileThenTheEnvironment() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("hub.yaml")
        try """
            endpoint: https://mirror.example.com/
            allowed_hosts: [mirror.example.com]
            token_command: [vault, kv, get, -field=token, secret/hf]
            retries: {attempts: 3}
            """.write(to: file, atomically: true, encoding: .utf8)
        let configuration = try HubConfiguration.load(from: file, environment: ["HF_HOME": "/h", "HF_HUB_OFFLINE": "1"])
        #expect(configuration.endpoint.absoluteString == "https://mirror.example.com")
        #expect(configuration.cacheDirectory.path == "/h/hub" && configuration.tokenSource.tokenFile.path == "/h/token")
        #expect(configuration.offline && configuration.retry.attempts == 3 && configuration.tokenSource.tokenCommand.first == "vault")
        let overridden = try HubConfiguration.load(from: file, environment: ["HF_ENDPOINT": "https://other.example", "HF_HUB_CACHE": "/c"])
        #expect(overridden.endpoint.host == "other.example" && overridden.cacheDirectory.path == "/c" && !overridden.offline)

        try "endpont: https://x\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: HubError.self) { try HubConfiguration.load(from: file, environment: [:]) }
        #expect(throws: HubError.self) { try HubConfiguration.load(from: nil, environment: ["HF_ENDPOINT": "http://plain.example"]) }
    }
}
