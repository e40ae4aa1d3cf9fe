import Foundation
import QuenchSecurity
import Testing
@testable import QuenchHub
import QuenchConfig
import QuenchTestSupport

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
        // HF_ENDPOINT replaces the file's endpoint, but a bad one in the file is still refused at its key.
        try "endpoint: http://plain.example\n".write(to: file, atomically: true, encoding: .utf8)
        let badEndpoint = #expect(throws: ConfigFileError.self) {
            try HubConfiguration.load(from: file, environment: ["HF_ENDPOINT": "https://other.example"])
        }
        #expect("\(String(describing: badEndpoint))".contains("key 'endpoint'"), "\(String(describing: badEndpoint))")
        try """
            endpoint: https://mirror.example.com/
            allowed_hosts: [mirror.example.com]
            """.write(to: file, atomically: true, encoding: .utf8)

        try "timeouts: {token_command_seconds: 2.5}\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(try HubConfiguration.load(from: file, environment: [:]).tokenSource.tokenCommandTimeoutSeconds == 2.5)
        #expect(try HubConfiguration.load(from: nil, environment: [:]).tokenSource.tokenCommandTimeoutSeconds == 30)
        for bad in ["0", "-1", ".nan", "7200"] {
            try "timeouts: {token_command_seconds: \(bad)}\n".write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: ConfigFileError.self) { try HubConfiguration.load(from: file, environment: [:]) }
            #expect(error?.problems.map(\.key) == ["timeouts.token_command_seconds"], "\(bad)")
        }

        try "endpont: https://x\n".write(to: file, atomically: true, encoding: .utf8)
        let misspelt = #expect(throws: ConfigFileError.self) { try HubConfiguration.load(from: file, environment: [:]) }
        #expect(misspelt?.problems.map(\.kind) == [.unknownKey(suggestion: "endpoint", known: HubConfiguration.schema[""] ?? [])])
        // A misspelt setting inside a section is refused by its full key, not left at its default.
        for (text, key) in [("limits: {max_file_gb: 1}\n", "limits.max_file_gb"),
                            ("timeouts: {token_command_second: 5}\n", "timeouts.token_command_second"),
                            ("retries: {attempt: 2}\n", "retries.attempt")] {
            try text.write(to: file, atomically: true, encoding: .utf8)
            let error = #expect(throws: ConfigFileError.self) { try HubConfiguration.load(from: file, environment: [:]) }
            guard case .invalid(let path, let problems)? = error, let problem = problems.first else {
                Issue.record("expected an invalid file, got \(String(describing: error))")
                continue
            }
            let section = String(key.prefix { $0 != "." })
            #expect(path == file.path && problems.count == 1 && problem.key == key, "\(problems)")
            #expect(problem.message.hasPrefix("unknown key"), "\(problem)")
            guard case .unknownKey(_, let known) = problem.kind else { continue }
            #expect(known == HubConfiguration.schema[section], "\(known)")
        }
        #expect(throws: HubError.self) { try HubConfiguration.load(from: nil, environment: ["HF_ENDPOINT": "http://plain.example"]) }
    }

    @Test func aTokenReadFromAnySourceBecomesAKnownSecret() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let fromFile = "file-token-" + UUID().uuidString
        let fromCommand = "command-token-" + UUID().uuidString
        let file = try tokenFile(fromFile + "\n", mode: 0o600)
        #expect(!KnownSecrets.all.contains(fromFile) && !KnownSecrets.all.contains(fromCommand))
        _ = try TokenSource(environmentToken: nil, tokenFile: file, tokenCommand: []).resolve()
        _ = try TokenSource(environmentToken: nil, tokenFile: directory.appendingPathComponent("absent"),
                            tokenCommand: ["printf", fromCommand]).resolve()
        #expect(KnownSecrets.all.contains(fromFile) && KnownSecrets.all.contains(fromCommand))
    }

    @Test func anEndpointWithCredentialsIsRefusedWithoutRepeatingThem() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let secret = "endpoint-pass-" + UUID().uuidString
        do {
            _ = try HubConfiguration.load(from: nil, environment: ["HF_ENDPOINT": "https://user:\(secret)@127.0.0.1:9"])
            Issue.record("an endpoint with a password was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains("HF_ENDPOINT") && message.contains("user name or password") && message.contains("127.0.0.1:9"),
                    "\(message)")
            #expect(!message.contains(secret) && !message.contains("user:"), "\(message)")
        }
        #expect(KnownSecrets.all.contains(secret), "a credential seen in a URL is scrubbed from every later output")

        let file = directory.appendingPathComponent("hub.yaml")
        try "endpoint: https://\(secret)@mirror.example.com\n".write(to: file, atomically: true, encoding: .utf8)
        #expect(throws: ConfigFileError.self) { try HubConfiguration.load(from: file, environment: [:]) }
        do { _ = try HubConfiguration.load(from: file, environment: [:]) } catch {
            #expect("\(error)".contains("'endpoint'") && !"\(error)".contains(secret), "\(error)")
        }
        try "endpoint: http://u:\(secret)@mirror.example.com\n".write(to: file, atomically: true, encoding: .utf8)
        do { _ = try HubConfiguration.load(from: file, environment: [:]) } catch {
            #expect(!"\(error)".contains(secret), "\(error)")
        }
    }

    @Test func aRedirectCarryingCredentialsIsRefused() throws {
        let policy = RedirectPolicy(allowList: HostAllowList(["hub.example", "cdn.example"]))
        let secret = "redirect-pass-" + UUID().uuidString
        do {
            _ = try policy.next(from: try #require(URL(string: "https://hub.example/x")),
                                location: "https://u:\(secret)@cdn.example/blob")
            Issue.record("a redirect with a password was followed")
        } catch {
            #expect("\(error)".contains("cdn.example/blob") && !"\(error)".contains(secret), "\(error)")
        }
    }

    /// A command that never exits, whose child keeps the pipe open, is killed with that child after the
    /// configured timeout; the pull does not hang.
    @Test func aTokenCommandThatNeverExitsIsKilledWithItsChildren() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let pidFile = directory.appendingPathComponent("child.pid")
        let source = TokenSource(environmentToken: nil, tokenFile: directory.appendingPathComponent("absent"),
                                 tokenCommand: ["sh", "-c", "sleep 300 & echo $! > '\(pidFile.path)'; printf partial; wait"],
                                 tokenCommandTimeoutSeconds: 3)
        let started = Date()
        #expect {
            try source.resolve()
        } throws: { error in
            guard case HubError.tokenCommandFailed(let program, let reason) = error else { return false }
            return program == "sh" && reason.contains("did not finish within 3 s") && reason.contains("token_command_seconds")
        }
        #expect(Date().timeIntervalSince(started) < 15)
        let child = try #require(pid_t(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(Polling.waitUntil(seconds: 2) { !ProcessTable.isRunning(child) }, "the token command's child \(child) still runs")
    }

    @Test func aTokenCommandWritingTooMuchIsRefusedWithoutBlocking() throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = TokenSource(environmentToken: nil, tokenFile: directory.appendingPathComponent("absent"),
                                 tokenCommand: ["sh", "-c", "head -c 10000000 /dev/zero | tr '\\0' a; sleep 300"],
                                 tokenCommandTimeoutSeconds: 20)
        let started = Date()
        #expect(throws: HubError.tokenCommandFailed(program: "sh", reason: "its output is over 64 KiB, which is not a token")) {
            try source.resolve()
        }
        #expect(Date().timeIntervalSince(started) < 10)
        let missing = TokenSource(environmentToken: nil, tokenFile: directory.appendingPathComponent("absent"),
                                  tokenCommand: ["quench-no-such-program"])
        #expect(throws: HubError.self) { try missing.resolve() }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func theFileSizeLimitIsReadFromTheSettingsAndAFileAboveItIsRefusedBeforeDownloading() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("hub.yaml")
        try Data("limits:\n  max_file_gib: 0.0001\n".utf8).write(to: file)
        let limit = try HubConfiguration.load(from: file, environment: [:]).maxFileSize
        #expect(limit == Int64(0.0001 * Double(1 << 30)))
        #expect(try HubConfiguration.load(from: nil, environment: [:]).maxFileSize == 64 << 30)
        for bad in ["0", "-1", ".nan", "2000000"] {
            try Data("limits: {max_file_gib: \(bad)}\n".utf8).write(to: file)
            let error = #expect(throws: ConfigFileError.self) { try HubConfiguration.load(from: file, environment: [:]) }
            #expect(error?.problems.map(\.key) == ["limits.max_file_gib"], "\(bad)")
        }
        try await withTestHub([tinyRepo(weights: 300_000)]) { hub, cache in
            var configuration = try hub.configuration(cache: cache, token: hub.token)
            configuration.maxFileSize = limit
            let error = await hubError { _ = try await HubDownloader(configuration: configuration).snapshot(repo: "quench/tiny") }
            let message = "\(error.map { "\($0)" } ?? "")"
            #expect(message.contains("model.safetensors declares 300000 bytes") && message.contains("limits.max_file_gib"), "\(message)")
            #expect(!FileManager.default.fileExists(atPath: cache.appendingPathComponent("models--quench--tiny/blobs").path)
                    || listing(cache.appendingPathComponent("models--quench--tiny/blobs")).allSatisfy { !$0.hasSuffix(".incomplete") })
        }
    }
}
