import Foundation
import Testing
import QuenchTestSupport

/// Training dispatched through a real sshd on loopback: the run comes back verified and identical to a
/// local run, a result altered on the remote is refused, and a host with the wrong key is never used.
@Suite struct DispatchSSHTests {
    @Test(.requiresPrograms(SSHServer.programs)) func dispatchedRunReturnsTheSameAdapterAsALocalRun() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let folder = try TemporaryDirectory.create("ssh-run")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home")
        let model = try TinyLlamaFixture.copy(into: folder)
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: model)
        let compute = try server.computeFile(workDirectory: folder.appendingPathComponent("remote-work"))
        let results = folder.appendingPathComponent("results")

        let started = Date()
        let (status, output) = try DispatchTestSupport.run(
            ["jobs", "submit", config.path, "--backend", "loopback", "--compute", compute.path, "--wait",
             "--results", results.path, "--json"], home: home)
        print("dispatched tiny-llama over ssh in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        #expect(status == 0, "\(output)")
        #expect(output.contains("remote | verified bundle"), "the remote checks the bundle before training: \(output)")
        let record = try DispatchTestSupport.json(output)
        #expect((record["results"] as? String) == results.path)
        for file in ["manifest.json", "summary.json", "metrics.jsonl", "adapter/adapter_model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent(file).path), "\(file)")
        }

        // The same configuration trained here gives the same adapter, bit for bit.
        let (localStatus, localOutput) = try DispatchTestSupport.run(["train", config.path], home: home)
        #expect(localStatus == 0, "\(localOutput)")
        let remote = try Data(contentsOf: results.appendingPathComponent("adapter/adapter_model.safetensors"))
        let local = try Data(contentsOf: folder.appendingPathComponent("train-local-run/adapter/adapter_model.safetensors"))
        #expect(remote == local)

        let id = try DispatchTestSupport.submittedID(output)
        let (listStatus, list) = try DispatchTestSupport.run(["jobs", "list"], home: home)
        #expect(listStatus == 0 && list.contains(id) && list.contains("loopback"), "\(list)")
        let (logStatus, logs) = try DispatchTestSupport.run(["jobs", "logs", String(id.prefix(12))], home: home)
        #expect(logStatus == 0 && logs.contains("trained 4 steps"), "\(logs)")
    }

    @Test(.requiresPrograms(SSHServer.programs)) func resultAlteredOnTheRemoteIsRefused() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let folder = try TemporaryDirectory.create("ssh-tamper")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home")
        let work = folder.appendingPathComponent("remote-work")
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: try TinyLlamaFixture.copy(into: folder))
        let compute = try server.computeFile(workDirectory: work)

        let (status, output) = try DispatchTestSupport.run(
            ["jobs", "submit", config.path, "--backend", "loopback", "--compute", compute.path, "--json"], home: home)
        try #require(status == 0, "\(output)")
        let id = try DispatchTestSupport.submittedID(output)
        let final = try DispatchTestSupport.waitForFinalState(id, home: home, seconds: 120)
        try #require(final["state"] as? String == "succeeded", "\(final)")

        // Flip one byte of the returned adapter on the remote side: same size, different content.
        let adapter = work.appendingPathComponent("\(id)/output/adapter/adapter_model.safetensors")
        var bytes = try Data(contentsOf: adapter)
        bytes[bytes.count - 1] ^= 0x40
        try bytes.write(to: adapter)
        let target = folder.appendingPathComponent("collected")
        let (collectStatus, message) = try DispatchTestSupport.run(["jobs", "collect", id, "--into", target.path], home: home)
        #expect(collectStatus != 0)
        #expect(message.contains("adapter/adapter_model.safetensors") && message.contains("sha256"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: target.path), "nothing unverified is kept")
    }

    @Test(.requiresPrograms(SSHServer.programs)) func hostWithAnotherKeyIsRefusedBeforeAnythingIsSent() throws {
        let server = try SSHServer()
        defer { server.stop() }
        let folder = try TemporaryDirectory.create("ssh-hostkey")
        defer { try? FileManager.default.removeItem(at: folder) }
        let work = folder.appendingPathComponent("remote-work")
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: try TinyLlamaFixture.copy(into: folder))
        let compute = try server.computeFile(workDirectory: work)
        let (status, output) = try DispatchTestSupport.run(
            ["jobs", "submit", config.path, "--backend", "impostor", "--compute", compute.path, "--wait"],
            home: folder.appendingPathComponent("home"))
        #expect(status != 0)
        #expect(output.contains("host key") && output.contains("known_hosts_wrong"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: work.path), "nothing was copied to the impostor")
    }

    @Test(.requiresPrograms(SSHServer.programs + NginxServer.programs)) func aModelReferenceIsFetchedByTheRemoteWithTheSentTokenWhichIsRemovedAfterwards() throws {
        let folder = try TemporaryDirectory.create("ssh-token")
        defer { try? FileManager.default.removeItem(at: folder) }
        let secret = "hf_test_\(UUID().uuidString)"
        let model = try TinyLlamaFixture.copy(into: folder)
        let files = try ["config.json", "model.safetensors", "tokenizer.json"].map { ($0, try Data(contentsOf: model.appendingPathComponent($0))) }
        let hub = try CLITestHub(token: secret, files: files)
        defer { hub.stop() }
        let server = try SSHServer()
        defer { server.stop() }
        let home = folder.appendingPathComponent("home")
        let work = folder.appendingPathComponent("remote-work")
        let remoteHF = folder.appendingPathComponent("remote-hf")
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: model, steps: 2)
        // The remote "quench" records what the run saw of the token file, then trains for real with its
        // own hub settings and cache, and no token of its own.
        let wrapper = folder.appendingPathComponent("quench-wrapper")
        try Data("""
            #!/bin/sh
            [ "$1" = "--version" ] && exec \(DispatchTestSupport.quench.path) --version
            stat -c %a "$QUENCH_HUB_TOKEN_FILE" > "$3/control/token-mode"
            sha256sum < "$QUENCH_HUB_TOKEN_FILE" | cut -c1-64 > "$3/control/token-digest"
            unset HF_TOKEN HF_TOKEN_PATH
            QUENCH_HUB_CONFIG=\(hub.config.path) HF_HOME=\(remoteHF.path) exec \(DispatchTestSupport.quench.path) "$@"

            """.utf8).write(to: wrapper)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
        let compute = try server.computeFile(workDirectory: work, quench: wrapper)
        let tokenFile = folder.appendingPathComponent("token")
        try Data(secret.utf8).write(to: tokenFile)
        let local = ["QUENCH_HUB_CONFIG": hub.config.path, "HF_HOME": folder.appendingPathComponent("local-hf").path,
                     "HF_TOKEN": secret]
        let arguments = ["jobs", "submit", config.path, "--backend", "loopback", "--compute", compute.path,
                         "--model-hub", "quench/cli", "--hub-token-file", tokenFile.path]

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: tokenFile.path)
        let (refused, refusal) = try DispatchTestSupport.run(arguments, home: home, environment: local)
        #expect(refused != 0 && refusal.contains("chmod 600"), "a token file others can read is refused: \(refusal)")
        #expect(!FileManager.default.fileExists(atPath: work.path), "nothing was sent")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tokenFile.path)

        let (status, output) = try DispatchTestSupport.run(arguments + ["--wait", "--json"], home: home, environment: local)
        #expect(status == 0, "\(output)")
        #expect(!output.contains(secret))
        let id = try DispatchTestSupport.submittedID(output)
        let manifest = try String(contentsOf: work.appendingPathComponent("\(id)/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("model-reference.json") && !manifest.contains("model/"), "no model file travels: \(manifest)")
        let fetched = remoteHF.appendingPathComponent("hub/models--quench--cli/snapshots/\(hub.commit)/model.safetensors")
        #expect(FileManager.default.fileExists(atPath: fetched.path), "the remote fetched the model itself")
        #expect(output.contains("remote | fetching quench/cli"), "\(output)")
        let control = work.appendingPathComponent("\(id)/control")
        let mode = try String(contentsOf: control.appendingPathComponent("token-mode"), encoding: .utf8)
        #expect(mode.trimmingCharacters(in: .whitespacesAndNewlines) == "600")
        let digest = try String(contentsOf: control.appendingPathComponent("token-digest"), encoding: .utf8)
        #expect(digest.trimmingCharacters(in: .whitespacesAndNewlines) == (try DispatchLocalTests.sha256(tokenFile)))
        #expect(!FileManager.default.fileExists(atPath: control.appendingPathComponent("hub-token").path), "removed after the run")
        let leaks = try ProcessRunner.run("/usr/bin/grep", ["-rl", secret, work.path, home.path, remoteHF.path]).output
        #expect(leaks.isEmpty, "the token was written to: \(leaks)")
    }
}
