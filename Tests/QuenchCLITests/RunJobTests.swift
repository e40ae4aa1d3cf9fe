import Foundation
import Testing
import QuenchTestSupport

/// `quench run` end to end on tiny-llama: every stage, the reports (the HTML one rendered by headless
/// Chromium), the registry entry; a run killed during training and resumed ends with the same
/// adapter as an uninterrupted one; a forbidden finding in the data stops the run at the data stage.
@Suite(.serialized) struct RunJobTests {
    let folder: URL

    init() throws {
        folder = try TemporaryDirectory.create("run")
        try TinyModel.writeJob(in: folder)
        let users = Set([ProcessInfo.processInfo.environment["USER"] ?? NSUserName(), NSUserName()])
        try Data(("roles:\n" + users.map { "  \($0): [trainer]\n" }.joined()).utf8)
            .write(to: folder.appendingPathComponent("registry.yaml"))
    }

    /// A spec for tiny-llama; `steps` and the data file vary per test.
    func spec(name: String, steps: Int = 300, train: String = "train.jsonl") throws -> String {
        let text = TinyModel.jobSpec(name: name, model: "{path: tiny-llama, sha256: \(try TinyModel.pins(in: folder))}", train: train,
                                     steps: steps, checkpointEvery: 25, evaluateEvery: 50, tail: "registry: {name: tiny-arithmetic}")
        let url = folder.appendingPathComponent("\(name).yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func sha256(_ url: URL) throws -> String {
        String(try ProcessRunner.run("/usr/bin/sha256sum", [url.path]).standardOutput.prefix(64))
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["QUENCH_HOME"] = folder.appendingPathComponent("home").path
        environment["QUENCH_REGISTRY_CONFIG"] = folder.appendingPathComponent("registry.yaml").path
        environment.removeValue(forKey: "QUENCH_ACTOR")
        return environment
    }

    /// `quench arguments` in the folder, with `extra` added to the environment.
    func process(_ arguments: [String], environment extra: [String: String] = [:]) -> Process {
        let process = Process()
        process.executableURL = QuenchBinary.url
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        process.currentDirectoryURL = folder
        return process
    }

    func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let result = try QuenchBinary.run(arguments, environment: extra, base: environment, in: folder)
        return (result.status, result.output)
    }

    func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func onlyRun(named job: String) throws -> URL {
        let runs = folder.appendingPathComponent("runs")
        let names = try FileManager.default.contentsOfDirectory(atPath: runs.path).filter { $0.hasPrefix(job + "-") }
        #expect(names.count == 1)
        return runs.appendingPathComponent(try #require(names.first))
    }

    @Test func aFullRunPassesEveryStageAndResumesAfterKill() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        // Uninterrupted.
        let (status, output) = try run(["run", try spec(name: "straight"), "--json"])
        #expect(status == 0, "\(output)")
        let straight = try onlyRun(named: "straight")
        let state = try json(straight.appendingPathComponent("state.json"))
        let stages = try #require(state["stages"] as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == ["fetch", "verify", "data", "train", "evaluate", "gate", "sign",
                                                          "register", "report"])
        #expect(stages.allSatisfy { $0["status"] as? String == "succeeded" }, "\(stages)")
        let report = try json(straight.appendingPathComponent("report.json"))
        #expect(report["status"] as? String == "succeeded")
        #expect((report["registry"] as? [String: Any])?["status"] as? String == "pending_approval")
        for file in ["report.md", "report.html", "compliance.md", "compliance.json", "evaluation/gate.json",
                     "train/adapter/model.sig"] {
            #expect(FileManager.default.fileExists(atPath: straight.appendingPathComponent(file).path), "\(file)")
        }
        let html = try String(contentsOf: straight.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(html.contains("<svg") && html.contains("polyline") && !html.contains("<script") && !html.contains("http://fonts"))
        try screenshot(straight.appendingPathComponent("report.html"))

        // A re-run of the finished run keeps every stage but the report.
        let (again, againOutput) = try run(["run", "--resume", straight.path])
        #expect(again == 0, "\(againOutput)")
        #expect(againOutput.contains("train (unchanged, kept)"), "\(againOutput)")

        // Killed during training, then resumed.
        let killedSpec = try spec(name: "killed")
        let process = process(["run", killedSpec])
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var checkpointed = false
        while Date() < deadline, process.isRunning, !checkpointed {
            let runs = (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("runs").path)) ?? []
            if let name = runs.first(where: { $0.hasPrefix("killed-") }),
               let latest = try? String(contentsOf: folder.appendingPathComponent("runs/\(name)/train/checkpoints/latest"), encoding: .utf8) {
                checkpointed = latest >= "checkpoint-00000100"
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run must be killed mid-way for the test to mean anything")
        let killed = try onlyRun(named: "killed")
        #expect(!FileManager.default.fileExists(atPath: killed.appendingPathComponent("train/adapter").path))
        let (shown, showOutput) = try run(["runs", "show", killed.path])
        #expect(shown == 0 && showOutput.contains("interrupted"), "\(showOutput)")
        let (resumed, resumedOutput) = try run(["run", "--resume", killed.path])
        #expect(resumed == 0, "\(resumedOutput)")
        #expect(resumedOutput.contains("resuming training"), "\(resumedOutput)")
        for file in ["adapter_model.safetensors", "adapter_config.json"] {
            #expect(try sha256(killed.appendingPathComponent("train/adapter/\(file)"))
                    == sha256(straight.appendingPathComponent("train/adapter/\(file)")), "\(file) differs after resume")
        }
        let (listed, list) = try run(["runs", "list", "--runs", folder.appendingPathComponent("runs").path, "--json"])
        #expect(listed == 0 && list.contains("\"succeeded\""))
    }

    @Test func aForbiddenFindingStopsTheRunAtTheDataStage() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let leaky = folder.appendingPathComponent("leaky.jsonl")
        try Data((#"{"prompt": "card 4111 1111 1111 1111 =", "completion": "no."}"# + "\n"
                  + #"{"prompt": "1+1=", "completion": "2."}"# + "\n").utf8).write(to: leaky)
        let (status, output) = try run(["run", try spec(name: "leaky", train: "leaky.jsonl")])
        #expect(status == 2, "\(output)")
        #expect(output.contains("stage data failed") && output.contains("policy forbids"), "\(output)")
        #expect(!output.contains("4111 1111 1111 1111"), "the finding itself is never printed")
        let run = try onlyRun(named: "leaky")
        let state = try json(run.appendingPathComponent("state.json"))
        let stages = try #require(state["stages"] as? [[String: Any]])
        #expect(stages.first { $0["name"] as? String == "data" }?["status"] as? String == "failed")
        #expect(!stages.contains { $0["name"] as? String == "train" })
        let markdown = try String(contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("Failed") && markdown.contains("policy"))
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("data-checks.json").path))
    }

    @Test func anInvalidSpecIsRefusedBeforeAnyWork() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("broken.yaml")
        try Data("apiVersion: quench/v1\nmodel: {path: nowhere.gguf, sha256: abc}\ndata: {train: train.jsonl}\ntraining: {batch_size: 0}\n".utf8)
            .write(to: url)
        let (status, output) = try run(["run", url.path])
        #expect(status == 2)
        #expect(output.contains("broken.yaml:2:") && output.contains("model.path") && output.contains("training.batch_size")
                && output.contains("evaluation.gate"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("runs").path))
    }

    /// Renders the report with headless Chromium (scripts/screenshot-report.sh) and checks a real
    /// image came out; the test is cancelled (reported as skipped) when Chromium is absent.
    func screenshot(_ html: URL) throws {
        let script = SharedFixtures.repository.appendingPathComponent("scripts/screenshot-report.sh")
        let png = folder.appendingPathComponent("report.png")
        let rendered = try ProcessRunner.run("/bin/bash", [script.path, html.path, png.path])
        if rendered.status == 2 { try Test.cancel("chromium is not installed (make setup installs it)") }
        #expect(rendered.status == 0, "\(rendered.output)")
        let data = try Data(contentsOf: png)
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        #expect(data.count > 20_000, "a rendered page, not a blank one (\(data.count) bytes)")
    }
}
