import Foundation
import Testing
import QuenchTestSupport

/// The hub token never reaches a run folder, a report, a cache file or a printed line, whichever source
/// it came from (HF_TOKEN, the token file, token_command, a URL) and whether the run failed or
/// succeeded: every byte Quench wrote or printed is searched for it.
@Suite(.serialized) struct SecretLeakTests {
    /// The tiny-llama job folder (model, data, gate, registry roles) and the way to run quench in it.
    let jobs: RunJobTests
    var folder: URL { jobs.folder }
    /// Token-shaped but not matched by the `hf_` detector (the underscore ends its run early), so only
    /// knowing the actual value can scrub it.
    let token = "hf_leaktest_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")

    init() throws { jobs = try RunJobTests() }

    /// A tiny-llama job whose model comes from repository `repo` of the hub.
    func hubSpec(name: String, repo: String = "quench/cli", pins: String = "{}") throws -> String {
        let url = folder.appendingPathComponent("\(name).yaml")
        try Data(TinyModel.jobSpec(name: name, model: "{hub: \(repo), files: \(pins)}", steps: 20, checkpointEvery: 10,
                                   evaluateEvery: 10, tail: "registry: {name: tiny-secret}").utf8).write(to: url)
        return url.path
    }

    /// A hub settings file for `endpoint` (one attempt, so a closed port fails at once).
    func hubConfig(endpoint: String, extra: String = "") throws -> URL {
        let url = folder.appendingPathComponent("hub-\(UUID().uuidString).yaml")
        try Data("endpoint: \(endpoint)\nallowed_hosts: [\"127.0.0.1\"]\nretries: {attempts: 1}\n\(extra)".utf8).write(to: url)
        return url
    }

    /// The hub's folders inside the test folder, so that the search below covers the cache too.
    var hubEnvironment: [String: String] {
        ["HF_HOME": folder.appendingPathComponent("hf-home").path, "HF_HUB_CACHE": folder.appendingPathComponent("hf-cache").path,
         "HF_TOKEN": ""]
    }

    func run(_ arguments: [String], _ environment: [String: String]) throws -> (status: Int32, output: String) {
        try jobs.run(arguments, environment: environment)
    }

    func onlyRun(named name: String) throws -> URL { try jobs.onlyRun(named: name) }

    /// Every file under `root` but the `userFiles` (relative paths) and every printed output that
    /// contains `secret`.
    func leaks(of secret: String, under root: URL, outputs: [String], userFiles: Set<String> = []) -> [String] {
        var found = outputs.enumerated().filter { $0.element.contains(secret) }.map { "output \($0.offset): \($0.element)" }
        let needle = Data(secret.utf8)
        for case let path as String in FileManager.default.enumerator(atPath: root.path) ?? NSEnumerator()
        where !userFiles.contains(path) {
            let url = root.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                  let data = try? Data(contentsOf: url) else { continue }
            if data.range(of: needle) != nil { found.append(path) }
        }
        return found
    }

    func expectRunFiles(_ run: URL, _ names: [String]) {
        for name in names {
            #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent(name).path), "\(name) missing")
        }
    }

    @Test func aFailedHubRunStoresAndPrintsNoToken() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var environment = hubEnvironment
        environment["HF_TOKEN"] = token
        environment["QUENCH_HUB_CONFIG"] = try hubConfig(endpoint: "https://127.0.0.1:9").path
        // The repository is named like the token, so the failure (which names the URL) would carry it.
        let failed = try run(["run", try hubSpec(name: "unreachable", repo: "quench/\(token)")], environment)
        #expect(failed.status != 0 && failed.output.contains("stage fetch failed") && failed.output.contains("quench/<SECRET>"),
                "\(failed.output)")
        #expect(failed.output.contains("127.0.0.1"), "the address stays readable: \(failed.output)")

        // The same with the token also in the endpoint's user information: refused, never repeated.
        let inURL = "hf_inurl_" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
        environment["HF_ENDPOINT"] = "https://user:\(inURL)@127.0.0.1:9"
        let refused = try run(["run", try hubSpec(name: "userinfo")], environment)
        #expect(refused.status != 0 && refused.output.contains("HF_ENDPOINT") && refused.output.contains("user name or password"),
                "\(refused.output)")

        var outputs = [failed.output, refused.output]
        // The user's spec names the repository, and so does the run's copy of it: those alone may hold it.
        var userFiles: Set<String> = ["unreachable.yaml"]
        for name in ["unreachable", "userinfo"] {
            let runFolder = try onlyRun(named: name)
            userFiles.insert("runs/\(runFolder.lastPathComponent)/job.yaml")
            expectRunFiles(runFolder, ["state.json", "report.json", "report.md", "report.html"])
            outputs.append(try run(["runs", "show", runFolder.path], environment).output)
            outputs.append(try run(["runs", "show", runFolder.path, "--json"], environment).output)
        }
        outputs.append(try run(["runs", "list", "--runs", folder.appendingPathComponent("runs").path], environment).output)
        #expect(outputs.last?.contains("unreachable") == true)
        for secret in [token, inURL] {
            #expect(leaks(of: secret, under: folder, outputs: outputs, userFiles: userFiles) == [], "the secret leaked")
        }
    }

    @Test(.requiresPrograms(NginxServer.programs)) func aSuccessfulHubRunStoresAndPrintsNoToken() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("tiny-llama")
        let files = try FileManager.default.contentsOfDirectory(atPath: model.path).sorted()
            .map { ($0, try Data(contentsOf: model.appendingPathComponent($0))) }
        let server = try CLITestHub(token: token, files: files)
        defer { server.stop() }
        let pins = try files.map { "\($0.0): \(try RegistryCommandTests.Workspace.sha256(model.appendingPathComponent($0.0)))" }
        var environment = hubEnvironment
        environment["HF_TOKEN"] = token
        environment["QUENCH_HUB_CONFIG"] = server.config.path
        let spec = try hubSpec(name: "fromhub", pins: "{" + pins.joined(separator: ", ") + "}")
        let ran = try run(["run", spec], environment)
        #expect([0, 3].contains(ran.status), "\(ran.output)")
        #expect(server.hubLog.contains(token), "the hub must have received the token for the test to mean anything")
        let runFolder = try onlyRun(named: "fromhub")
        expectRunFiles(runFolder, ["state.json", "report.json", "report.md", "report.html", "compliance.json",
                                   "stages/fetch.json", "stages/train.json"])
        var outputs = [ran.output]
        outputs.append(try run(["runs", "show", runFolder.path], environment).output)
        outputs.append(try run(["runs", "show", runFolder.path, "--json"], environment).output)
        #expect(leaks(of: token, under: folder, outputs: outputs) == [], "the token leaked")
    }

    /// A token read from the token file or from token_command is as secret as HF_TOKEN: when a message
    /// would show it (here the repository name is the token, so the 404 names it), it is scrubbed.
    @Test(.requiresPrograms(NginxServer.programs)) func tokensFromTheFileAndTheCommandAreScrubbedFromErrors() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try CLITestHub(token: token)
        defer { server.stop() }
        let tokenFile = folder.appendingPathComponent("token")
        try Data((token + "\n").utf8).write(to: tokenFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile.path)
        var environment = hubEnvironment
        environment["HF_TOKEN_PATH"] = tokenFile.path
        let fromFile = try run(["pull", "quench/\(token)", "--config", server.config.path], environment)
        #expect(fromFile.status != 0 && fromFile.output.contains("404") && fromFile.output.contains("<SECRET>"), "\(fromFile.output)")

        let commandConfig = folder.appendingPathComponent("hub-command.yaml")
        try Data((try String(contentsOf: server.config, encoding: .utf8) + "\ntoken_command: [printf, \(token)]\n").utf8)
            .write(to: commandConfig)
        environment["HF_TOKEN_PATH"] = folder.appendingPathComponent("absent").path
        let fromCommand = try run(["pull", "quench/\(token)", "--config", commandConfig.path], environment)
        #expect(fromCommand.status != 0 && fromCommand.output.contains("404") && fromCommand.output.contains("<SECRET>"),
                "\(fromCommand.output)")
        #expect(server.hubLog.contains(token), "the hub must have received the token for the test to mean anything")

        // The same two sources through `quench run`: its run folders, reports and listings are searched too.
        var outputs = [fromFile.output, fromCommand.output]
        // The user's own files hold the token (the token file, token_command's arguments) or the
        // repository named after it (the specs and the runs' copies of them).
        var userFiles: Set<String> = ["token", "hub-command.yaml"]
        for (name, config, tokenPath) in [("from-file", server.config, tokenFile), ("from-command", commandConfig, nil)] {
            var runEnvironment = environment
            runEnvironment["QUENCH_HUB_CONFIG"] = config.path
            runEnvironment["HF_TOKEN_PATH"] = (tokenPath ?? folder.appendingPathComponent("absent")).path
            let ran = try run(["run", try hubSpec(name: name, repo: "quench/\(token)")], runEnvironment)
            #expect(ran.status != 0 && ran.output.contains("stage fetch failed") && ran.output.contains("<SECRET>"), "\(ran.output)")
            let runFolder = try onlyRun(named: name)
            userFiles.formUnion(["\(name).yaml", "runs/\(runFolder.lastPathComponent)/job.yaml"])
            expectRunFiles(runFolder, ["state.json", "report.json", "report.md", "report.html"])
            outputs += [ran.output, try run(["runs", "show", runFolder.path], runEnvironment).output,
                        try run(["runs", "show", runFolder.path, "--json"], runEnvironment).output]
        }
        outputs.append(try run(["runs", "list", "--runs", folder.appendingPathComponent("runs").path], environment).output)
        #expect(leaks(of: token, under: folder, outputs: outputs, userFiles: userFiles) == [], "the token leaked")
    }
}
