import Foundation
import Testing
import QuenchTestSupport

/// `quench train --bundle` on bundles written by hand (sha256 from coreutils, not from Quench), and
/// the `process` backend (a detached process on this machine) end to end.
@Suite struct DispatchLocalTests {
    /// The sha256 of `file` by `sha256sum`, an implementation independent of Quench's.
    static func sha256(_ file: URL) throws -> String {
        let digest = try ProcessRunner.run("/usr/bin/sha256sum", [file.path]).checked("sha256sum")
        return String(digest.standardOutput.prefix(64))
    }

    /// A bundle for tiny-llama laid out by hand, with a manifest claiming `version`.
    static func handMadeBundle(in folder: URL, version: String) throws -> URL {
        let bundle = folder.appendingPathComponent("bundle")
        let model = try TinyLlamaFixture.copy(into: folder)
        try FileManager.default.createDirectory(at: bundle.appendingPathComponent("data/train"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: model, to: bundle.appendingPathComponent("model"))
        let lines = (0..<16).map { #"{"text": "Row \#($0): pack my box with five dozen liquor jugs."}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: bundle.appendingPathComponent("data/train/rows.jsonl"))
        try Data("""
            model: model
            method: lora
            output: output
            lora: {rank: 2, alpha: 4}
            data: {train: data/train/rows.jsonl, max_sequence_length: 24}
            batch_size: 2
            max_steps: 2
            checkpoint_every: 1000
            evaluate_every: 1000
            """.utf8).write(to: bundle.appendingPathComponent("training.yaml"))
        var entries: [String] = []
        for path in ["data/train/rows.jsonl", "model/config.json", "model/model.safetensors", "model/tokenizer.json", "training.yaml"] {
            let url = bundle.appendingPathComponent(path)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int)
            entries.append(#"{"path": "\#(path)", "size": \#(size), "sha256": "\#(try sha256(url))"}"#)
        }
        try Data(#"{"quench_version": "\#(version)", "files": [\#(entries.joined(separator: ", "))]}"#.utf8)
            .write(to: bundle.appendingPathComponent("manifest.json"))
        return bundle
    }

    var version: String {
        get throws {
            let (_, output) = try DispatchTestSupport.run(["--version"], home: URL(fileURLWithPath: "/tmp"))
            return output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test func bundleTrainsAndItsOutputManifestMatchesEveryFile() throws {
        let folder = try TemporaryDirectory.create("bundle-train")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try Self.handMadeBundle(in: folder, version: try version)
        let (status, output) = try DispatchTestSupport.run(["train", "--bundle", bundle.path, "--json"], home: folder)
        #expect(status == 0, "\(output)")
        let outputFolder = bundle.appendingPathComponent("output")
        let manifest = try DispatchTestSupport.json(try String(contentsOf: outputFolder.appendingPathComponent("manifest.json"), encoding: .utf8))
        let files = try #require(manifest["files"] as? [[String: Any]])
        let paths = files.compactMap { $0["path"] as? String }
        #expect(paths.contains("adapter/adapter_model.safetensors") && paths.contains("summary.json") && paths.contains("metrics.jsonl"))
        for file in files {
            let path = try #require(file["path"] as? String)
            #expect(try Self.sha256(outputFolder.appendingPathComponent(path)) == file["sha256"] as? String, "\(path)")
        }
        let (again, message) = try DispatchTestSupport.run(["train", "--bundle", bundle.path], home: folder)
        #expect(again != 0 && message.contains("trained already"), "\(message)")
    }

    @Test func tamperedBundleOrAnotherReleaseIsNotTrained() throws {
        let folder = try TemporaryDirectory.create("bundle-refused")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundle = try Self.handMadeBundle(in: folder, version: try version)
        let data = bundle.appendingPathComponent("data/train/rows.jsonl")
        var bytes = try Data(contentsOf: data)
        bytes[10] ^= 1
        try bytes.write(to: data)
        let (status, output) = try DispatchTestSupport.run(["train", "--bundle", bundle.path], home: folder)
        #expect(status != 0 && output.contains("data/train/rows.jsonl") && output.contains("sha256"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: bundle.appendingPathComponent("output").path))

        let other = folder.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        let old = try Self.handMadeBundle(in: other, version: "0.0.1")
        let (oldStatus, oldOutput) = try DispatchTestSupport.run(["train", "--bundle", old.path], home: folder)
        #expect(oldStatus != 0 && oldOutput.contains("0.0.1"), "\(oldOutput)")
    }

    @Test func localBackendRunsFollowsAndCollects() throws {
        let folder = try TemporaryDirectory.create("local-backend")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home")
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: try TinyLlamaFixture.copy(into: folder), steps: 3)
        let fakeQuench = folder.appendingPathComponent("old-quench")
        try Data("#!/bin/sh\necho 0.0.1\n".utf8).write(to: fakeQuench)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fakeQuench.path)
        let compute = folder.appendingPathComponent("compute.yaml")
        try Data("""
            backends:
              here: {kind: process, work_directory: \(folder.path)/work, quench: \(DispatchTestSupport.quench.path), poll_seconds: 0.3}
              old: {kind: process, work_directory: \(folder.path)/work-old, quench: \(fakeQuench.path)}
            """.utf8).write(to: compute)

        let results = folder.appendingPathComponent("results")
        let (status, output) = try DispatchTestSupport.run(
            ["jobs", "submit", config.path, "--backend", "here", "--compute", compute.path, "--wait", "--results", results.path],
            home: home)
        #expect(status == 0, "\(output)")
        #expect(output.contains("succeeded (exited 0, exit code 0)") && output.contains("not trusted"), "\(output)")
        #expect(FileManager.default.fileExists(atPath: results.appendingPathComponent("adapter/adapter_model.safetensors").path))

        let (refused, message) = try DispatchTestSupport.run(
            ["jobs", "submit", config.path, "--backend", "old", "--compute", compute.path], home: home)
        #expect(refused != 0 && message.contains("runs Quench 0.0.1"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("work-old").path))
    }

    @Test func cancelledLocalJobIsReportedCancelled() throws {
        let folder = try TemporaryDirectory.create("local-cancel")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home")
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: try TinyLlamaFixture.copy(into: folder), steps: 100_000)
        let compute = folder.appendingPathComponent("compute.yaml")
        try Data("""
            backends:
              here: {kind: process, work_directory: \(folder.path)/work, quench: \(DispatchTestSupport.quench.path), poll_seconds: 0.3}
            """.utf8).write(to: compute)
        let (status, output) = try DispatchTestSupport.run(
            ["jobs", "submit", config.path, "--backend", "here", "--compute", compute.path, "--json"], home: home)
        try #require(status == 0, "\(output)")
        let id = try DispatchTestSupport.submittedID(output)
        let running = try DispatchTestSupport.run(["jobs", "status", id, "--json"], home: home)
        #expect(try DispatchTestSupport.json(running.output)["state"] as? String == "running", "\(running.output)")
        let (cancelStatus, cancelOutput) = try DispatchTestSupport.run(["jobs", "cancel", id], home: home)
        #expect(cancelStatus == 0, "\(cancelOutput)")
        let final = try DispatchTestSupport.waitForFinalState(id, home: home, seconds: 30)
        #expect(final["state"] as? String == "cancelled", "\(final)")
        let (collectStatus, collectOutput) = try DispatchTestSupport.run(["jobs", "collect", id], home: home)
        #expect(collectStatus != 0 && collectOutput.contains("cancelled"), "\(collectOutput)")
    }
}
