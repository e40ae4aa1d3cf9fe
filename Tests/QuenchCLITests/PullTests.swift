import Foundation
import Testing
import QuenchTestSupport

/// `quench pull` and `quench verify-cache` run as a user runs them, against a real nginx hub on
/// loopback; every output of every run is searched for the token.
@Suite(.serialized) struct PullTests {
    let token = "hf_clitest_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    @Test(.requiresPrograms(NginxServer.programs)) func pullVerifiesAndTheTokenAppearsInNoOutput() throws {
        let server = try CLITestHub(token: token)
        defer { server.stop() }
        let cache = server.directory.appendingPathComponent("cache")
        let environment = ["HF_HUB_CACHE": cache.path, "HF_HOME": server.directory.appendingPathComponent("home").path,
                           "HF_TOKEN": token]
        var outputs: [String] = []

        let pulled = try run(["pull", "quench/cli", "--config", server.config.path], environment)
        outputs.append(pulled.output)
        #expect(pulled.status == 0, "\(pulled.output)")
        #expect(pulled.output.contains("2 files") && pulled.output.contains("hub LFS sha256") && pulled.output.contains("ETA"))

        let json = try run(["pull", "quench/cli", "--json", "--config", server.config.path], environment)
        outputs.append(json.output)
        #expect(json.status == 0 && json.output.contains("\"commit\" : \"\(server.commit)\""))

        let verified = try run(["verify-cache", "--json", "--config", server.config.path], environment)
        outputs.append(verified.output)
        #expect(verified.status == 0 && verified.output.contains("\"status\" : \"ok\""))

        // A damaged blob is reported and fails the command.
        let blob = cache.appendingPathComponent("models--quench--cli/blobs/\(server.weightsSHA256)")
        try Data(repeating: 0, count: 10).write(to: blob)
        let damaged = try run(["verify-cache", "--config", server.config.path], environment)
        outputs.append(damaged.output)
        #expect(damaged.status != 0 && damaged.output.contains("MISMATCH"))

        var wrongEnvironment = environment
        wrongEnvironment["HF_TOKEN"] = token + "x"
        let wrong = try run(["pull", "quench/cli", "--config", server.config.path], wrongEnvironment)
        outputs.append(wrong.output)
        #expect(wrong.status != 0 && wrong.output.contains("403"))

        let tokenFile = server.directory.appendingPathComponent("token")
        try Data(token.utf8).write(to: tokenFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: tokenFile.path)
        var fileEnvironment = environment
        fileEnvironment["HF_TOKEN"] = nil
        fileEnvironment["HF_TOKEN_PATH"] = tokenFile.path
        let open = try run(["pull", "quench/cli", "--config", server.config.path], fileEnvironment)
        outputs.append(open.output)
        #expect(open.status != 0 && open.output.contains("chmod 600"))

        let argv = try run(["pull", "quench/cli", "--token", "x"], environment)
        #expect(argv.status != 0)

        // The hub received the token; no output, report, manifest or cache file holds it (nor the wrong one).
        #expect(server.hubLog.contains(token))
        #expect(!server.cdnLog.contains(token))
        for output in outputs { #expect(!output.contains(token), "the token leaked into: \(output)") }
        for path in FileManager.default.enumerator(atPath: cache.path)?.allObjects as? [String] ?? [] {
            let data = (try? Data(contentsOf: cache.appendingPathComponent(path))) ?? Data()
            #expect(data.range(of: Data(token.utf8)) == nil, "the token leaked into \(path)")
        }
    }

    @Test func offlineWithAnEmptyCacheSaysWhatIsMissing() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("quench-offline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let result = try run(["pull", "quench/nothing"], ["HF_HOME": home.path, "HF_HUB_OFFLINE": "1"])
        #expect(result.status != 0 && result.output.contains("offline") && result.output.contains("quench/nothing"))
    }

    private func run(_ arguments: [String], _ environment: [String: String]) throws -> ProcessResult {
        try QuenchBinary.run(arguments, environment: environment,
                             base: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("HF_") })
    }
}
