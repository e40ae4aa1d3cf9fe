import Foundation
import Testing
import QuenchTestSupport

/// `quench run` with `compute: {backend: …}`: training goes to a real sshd on loopback, comes back
/// verified, and is evaluated and gated here; a result altered on the remote stops the run; a killed
/// run follows its remote job again on resume; Ctrl-C, or resuming with a changed spec, cancels it; a
/// hub model can travel as a reference the remote fetches itself.
@Suite struct RunDispatchTests {
    /// A tiny-llama job folder: model, data and gate, and specs that differ in compute.
    struct JobFolder {
        let url: URL
        var home: URL { url.appendingPathComponent("home") }
        var runs: URL { url.appendingPathComponent("runs") }

        init(_ label: String) throws {
            url = try TemporaryDirectory.create(label)
            try TinyModel.writeJob(in: url)
        }

        /// A spec training `steps` LoRA steps where `compute` (YAML lines under `compute:`) says, on the
        /// local tiny-llama unless `model` (a flow mapping) says otherwise.
        func spec(_ name: String, steps: Int, compute: String, model: String? = nil) throws -> URL {
            let pins = try TinyModel.pins(in: url)
            let text = TinyModel.jobSpec(name: name, model: model ?? "{path: tiny-llama, sha256: \(pins)}", steps: steps,
                                         checkpointEvery: 50, evaluateEvery: 50,
                                         tail: "compute:\n\(compute)\nregistry: {name: tiny-arithmetic, register: false}")
            let file = url.appendingPathComponent("\(name).yaml")
            try Data(text.utf8).write(to: file)
            return file
        }

        func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
            try DispatchTestSupport.run(arguments + ["--runs", runs.path], home: home, environment: environment)
        }

        /// The one run folder of job `name`.
        func runFolder(_ name: String) throws -> URL {
            try #require(existingRunFolder(name), "no single run folder for \(name) in \(runs.path)")
        }

        /// The run folder of job `name`, once there is exactly one.
        func existingRunFolder(_ name: String) -> URL? {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []).filter { $0.hasPrefix(name + "-") }
            return names.count == 1 ? runs.appendingPathComponent(names[0]) : nil
        }

        func report(_ run: URL) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("report.json"))) as? [String: Any])
        }

        /// Stops whatever still runs from this folder (a remote job a failed expectation left behind would
        /// train on for the rest of the suite), then removes it.
        func remove() {
            _ = try? ProcessRunner.run("/usr/bin/pkill", ["-KILL", "-f", url.path])
            try? FileManager.default.removeItem(at: url)
        }
    }

    @Test(.requiresPrograms(SSHServer.programs)) func aJobSpecTrainsOverSSHAndIsGatedHereOnTheVerifiedAdapter() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let job = try JobFolder("run-ssh")
        defer { job.remove() }
        let compute = try server.computeFile(workDirectory: job.url.appendingPathComponent("remote-work"))
        let remote = try job.spec("remote", steps: 120, compute: "  backend: loopback\n  config: \(compute.path)")
        let local = try job.spec("local", steps: 120, compute: "  backend: local")

        let (status, output) = try job.run(["run", remote.path])
        #expect(status == 0, "\(output)")
        #expect(output.contains("remote | verified bundle"), "the remote checks the bundle before training: \(output)")
        #expect(output.contains("results verified"), "\(output)")
        let run = try job.runFolder("remote")
        let report = try job.report(run)
        let training = try #require(report["training"] as? [String: Any])
        let dispatched = try #require(training["remote"] as? [String: Any])
        #expect(dispatched["backend"] as? String == "loopback" && dispatched["kind"] as? String == "ssh")
        #expect((report["gate"] as? [String: Any])?["passed"] as? Bool == true)
        let markdown = try String(contentsOf: run.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("Trained on backend loopback"), "\(markdown)")

        // The same spec trained in this process gives the same adapter, bit for bit, and the same verdict.
        let (localStatus, localOutput) = try job.run(["run", local.path])
        #expect(localStatus == 0, "\(localOutput)")
        let weights = "adapter/adapter_model.safetensors"
        #expect(try Data(contentsOf: run.appendingPathComponent("train/results/\(weights)"))
                == Data(contentsOf: try job.runFolder("local").appendingPathComponent("train/\(weights)")))
        let remoteLoss = try #require(((report["evaluation"] as? [String: Any])?["sets"] as? [[String: Any]])?.first?["tuned"] as? [String: Any])
        let localLoss = try #require(((try job.report(try job.runFolder("local"))["evaluation"] as? [String: Any])?["sets"] as? [[String: Any]])?.first?["tuned"] as? [String: Any])
        #expect(remoteLoss["loss"] as? Double == localLoss["loss"] as? Double)
    }

    @Test(.requiresPrograms(SSHServer.programs + NginxServer.programs)) func aHubModelCanTravelAsAReferenceTheRemoteFetchesWithItsOwnToken() throws {
        let job = try JobFolder("run-ssh-reference")
        defer { job.remove() }
        let token = "hf_test_\(UUID().uuidString)"
        let files = try ["config.json", "model.safetensors", "tokenizer.json"]
            .map { ($0, try Data(contentsOf: job.url.appendingPathComponent("tiny-llama/\($0)"))) }
        let hub = try CLITestHub(token: token, files: files)
        defer { hub.stop() }
        let server = try SSHServer()
        defer { server.stop() }
        // The remote has its own hub settings, cache and 0600 token file.
        let remoteHF = job.url.appendingPathComponent("remote-hf")
        try FileManager.default.createDirectory(at: remoteHF, withIntermediateDirectories: true)
        let remoteToken = remoteHF.appendingPathComponent("token")
        try Data(token.utf8).write(to: remoteToken)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: remoteToken.path)
        let wrapper = job.url.appendingPathComponent("quench-remote")
        try Data("""
            #!/bin/sh
            QUENCH_HUB_CONFIG=\(hub.config.path) HF_HOME=\(remoteHF.path) HF_TOKEN_PATH=\(remoteToken.path) exec \(DispatchTestSupport.quench.path) "$@"

            """.utf8).write(to: wrapper)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let compute = try server.computeFile(workDirectory: job.url.appendingPathComponent("remote-work"), quench: wrapper)
        let spec = try job.spec("referenced", steps: 60,
                                compute: "  backend: loopback\n  config: \(compute.path)\n  send_model: reference",
                                model: "{hub: quench/cli, revision: main}")

        let environment = ["QUENCH_HUB_CONFIG": hub.config.path, "HF_HOME": job.url.appendingPathComponent("local-hf").path,
                           "HF_TOKEN": token]
        let (status, output) = try job.run(["run", spec.path], environment: environment)
        #expect(status == 0, "\(output)")
        #expect(output.contains("remote | fetching quench/cli"), "\(output)")
        let run = try job.runFolder("referenced")
        let trainFolder = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("train").path)
        #expect(!trainFolder.contains { $0.hasPrefix("bundle-") }, "the bundle is removed once the results are verified: \(trainFolder)")
        let sent = job.url.appendingPathComponent("remote-work/\(try #require(try remoteJob(run)))/manifest.json")
        let manifest = try String(contentsOf: sent, encoding: .utf8)
        #expect(manifest.contains("model-reference.json") && !manifest.contains("model/"), "no model file travels: \(manifest)")
        let fetched = remoteHF.appendingPathComponent("hub/models--quench--cli/snapshots/\(hub.commit)/model.safetensors")
        #expect(FileManager.default.fileExists(atPath: fetched.path), "the remote fetched the model itself")
        #expect((try job.report(run)["gate"] as? [String: Any])?["passed"] as? Bool == true)
        #expect(!output.contains(token))

        // By default the files of the snapshot (links into the hub cache) travel themselves.
        let asFiles = try job.spec("as-files", steps: 60, compute: "  backend: loopback\n  config: \(compute.path)",
                                   model: "{hub: quench/cli, revision: main}")
        let (filesStatus, filesOutput) = try job.run(["run", asFiles.path], environment: environment)
        #expect(filesStatus == 0, "\(filesOutput)")
        let filesRun = try job.runFolder("as-files")
        let filesManifest = try String(contentsOf: job.url.appendingPathComponent(
            "remote-work/\(try #require(try remoteJob(filesRun)))/manifest.json"), encoding: .utf8)
        #expect(filesManifest.contains("model/model.safetensors") && !filesManifest.contains("model-reference.json"))
    }

    /// The id of the job the run in `run` submitted.
    private func remoteJob(_ run: URL) throws -> String? {
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("train/remote-job.json")))
        return ((record as? [String: Any])?["job"] as? [String: Any])?["id"] as? String
    }

    @Test(.requiresPrograms(SSHServer.programs)) func aResultAlteredOnTheRemoteStopsTheRunBeforeEvaluation() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let job = try JobFolder("run-ssh-tamper")
        defer { job.remove() }
        // The remote "quench" trains for real, then appends a byte to the adapter it just wrote.
        let wrapper = job.url.appendingPathComponent("quench-tampering")
        try Data("""
            #!/bin/sh
            [ "$1" = "--version" ] && exec \(DispatchTestSupport.quench.path) --version
            \(DispatchTestSupport.quench.path) "$@" || exit $?
            printf 'x' >> "$3/output/adapter/adapter_model.safetensors"

            """.utf8).write(to: wrapper)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let compute = try server.computeFile(workDirectory: job.url.appendingPathComponent("remote-work"), quench: wrapper)
        let spec = try job.spec("tampered", steps: 20, compute: "  backend: loopback\n  config: \(compute.path)")

        let (status, output) = try job.run(["run", spec.path])
        #expect(status == 2, "\(output)")
        #expect(output.contains("adapter/adapter_model.safetensors") && output.contains("sha256"), "\(output)")
        let run = try job.runFolder("tampered")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("train/results").path), "nothing unverified is kept")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("evaluation/gate.json").path))
    }

    @Test(.requiresPrograms(SSHServer.programs)) func killedRunsFollowTheirRemoteJobWhileCtrlCOrAChangedSpecCancelsIt() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let job = try JobFolder("run-ssh-resume")
        defer { job.remove() }
        let compute = try server.computeFile(workDirectory: job.url.appendingPathComponent("remote-work"))
        let section = "  backend: loopback\n  config: \(compute.path)"

        // Killed (SIGKILL) while the remote trains: the remote job carries on, and the resumed run
        // follows it to the end instead of submitting another.
        let killed = try start(job, ["run", try job.spec("killed", steps: 1500, compute: section).path])
        let killedJob = try waitForSubmission(job, "killed", process: killed)
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        let (resumed, resumedOutput) = try job.run(["run", "--resume", try job.runFolder("killed").path])
        #expect(resumed == 0, "\(resumedOutput)")
        #expect(resumedOutput.contains("following \(killedJob)"), "\(resumedOutput)")
        let (_, list) = try DispatchTestSupport.run(["jobs", "list", "--json"], home: job.home)
        let records = try #require(try JSONSerialization.jsonObject(with: Data(list.utf8)) as? [Any], "\(list)")
        #expect(records.count == 1, "one job, not two: \(list)")

        // Ctrl-C at a terminal reaches the whole foreground process group (quench and its ssh children):
        // the remote job is cancelled and the run exits 130 with the resume command.
        let interrupted = try start(job, ["run", try job.spec("interrupted", steps: 1_000_000, compute: section).path],
                                    ownSession: true)
        let interruptedJob = try waitForSubmission(job, "interrupted", process: interrupted)
        let state = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: try job.runFolder("interrupted").appendingPathComponent("state.json"))) as? [String: Any])
        let group = getpgid(pid_t(try #require(state["pid"] as? Int)))
        try #require(group > 0 && group != getpgrp(), "quench runs in a process group of its own")
        kill(-group, SIGINT)
        interrupted.waitUntilExit()
        #expect(interrupted.terminationStatus == 130)
        let log = try String(contentsOf: job.url.appendingPathComponent("interrupted.log"), encoding: .utf8)
        #expect(log.contains("cancelled training job \(interruptedJob)") && log.contains("quench run --resume"), "\(log)")
        let settled = try DispatchTestSupport.waitForFinalState(interruptedJob, home: job.home, seconds: 30)
        #expect(settled["state"] as? String == "cancelled", "\(settled)")

        // Resumed after the cancel, the run starts a new job rather than follow the cancelled one; a
        // changed spec then cancels that one, as its results would be of no use.
        let interruptedRun = try job.runFolder("interrupted")
        let again = try start(job, ["run", "--resume", interruptedRun.path])
        let secondJob = try waitForSubmission(job, "interrupted", process: again, after: interruptedJob)
        kill(again.processIdentifier, SIGKILL)
        again.waitUntilExit()
        let specFile = job.url.appendingPathComponent("interrupted.yaml")
        let changedSpec = try String(contentsOf: specFile, encoding: .utf8)
            .replacingOccurrences(of: "max_steps: 1000000", with: "max_steps: 20")
        try Data(changedSpec.utf8).write(to: specFile)
        let (changed, changedOutput) = try job.run(["run", "--resume", interruptedRun.path])
        #expect(changed == 0, "\(changedOutput)")
        #expect(changedOutput.contains("cancelled \(secondJob), started for other inputs"), "\(changedOutput)")
        #expect(try DispatchTestSupport.waitForFinalState(secondJob, home: job.home, seconds: 30)["state"] as? String == "cancelled")
    }

    /// Starts `quench` in the background, its output in `<job>.log`; with `ownSession`, in a session
    /// and process group of its own (through `setsid --wait`, whose exit status is quench's).
    private func start(_ job: JobFolder, _ arguments: [String], ownSession: Bool = false) throws -> Process {
        let quench = arguments + ["--runs", job.runs.path]
        let name = URL(fileURLWithPath: arguments.last ?? "run").deletingPathExtension().lastPathComponent
        let log = job.url.appendingPathComponent("\(name).log")
        let environment = ["QUENCH_HOME": job.home.path]
        guard ownSession else { return try QuenchBinary.start(quench, environment: environment, log: log) }
        return try ProcessRunner.start(URL(fileURLWithPath: "/usr/bin/setsid"), ["--wait", QuenchBinary.url.path] + quench,
                                       environment: environment, log: log)
    }

    /// Waits until the run of `name` has submitted a training job (other than `earlier`); its id.
    private func waitForSubmission(_ job: JobFolder, _ name: String, process: Process, after earlier: String? = nil) throws -> String {
        var id: String?
        let submitted = Polling.waitUntil(seconds: 120) {
            guard process.isRunning, let run = job.existingRunFolder(name),
                  let data = try? Data(contentsOf: run.appendingPathComponent("train/remote-job.json")),
                  let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let submittedJob = record["job"] as? [String: Any] else { return false }
            id = submittedJob["id"] as? String
            return id != earlier
        }
        let log = (try? String(contentsOf: job.url.appendingPathComponent("\(name).log"), encoding: .utf8)) ?? ""
        try #require(submitted, "the run never submitted its job: \(log)")
        return try #require(id)
    }
}
