import Foundation
import Testing
import QuenchTestSupport

/// Ctrl-C during `quench jobs submit --wait` takes the interrupt path `quench run` takes: the backend
/// job is cancelled, the command says so and what to do next, and exits 130.
@Suite struct JobsSubmitInterruptTests {
    @Test func ctrlCCancelsTheFollowedJobAndExits130() throws {
        let folder = try TemporaryDirectory.create("submit-interrupt")
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let config = try DispatchTestSupport.trainingConfig(in: folder, model: try TinyLlamaFixture.copy(into: folder),
                                                            steps: 1_000_000)
        let compute = folder.appendingPathComponent("compute.yaml")
        try Data("""
            backends:
              here: {kind: process, work_directory: \(folder.path)/work, quench: \(DispatchTestSupport.quench.path), poll_seconds: 0.3}
            """.utf8).write(to: compute)

        let log = folder.appendingPathComponent("submit.log")
        let process = try QuenchBinary.start(
            ["jobs", "submit", config.path, "--backend", "here", "--compute", compute.path, "--wait"],
            environment: ["QUENCH_HOME": home.path], log: log)
        var id: String?
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            // Never leave the training running, whatever failed above.
            if let id { _ = try? DispatchTestSupport.run(["jobs", "cancel", id], home: home) }
        }
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        let following = Polling.waitUntil(seconds: 120) { process.isRunning && logText().contains("remote | ") }
        try #require(following, "the job was never followed: \(logText())")
        let record = try #require(try FileManager.default.contentsOfDirectory(atPath: home.appendingPathComponent("jobs").path)
            .first { $0.hasSuffix(".json") }, "no job record")
        id = String(record.dropLast(".json".count))
        let group = getpgid(process.processIdentifier)
        try #require(group == process.processIdentifier && group != getpgrp(), "quench leads a process group of its own")
        kill(-group, SIGINT)
        let ended = Polling.waitUntil(seconds: 60) { !process.isRunning }
        try #require(ended, "Ctrl-C did not end jobs submit: \(logText())")
        #expect(process.terminationStatus == 130, "\(logText())")
        let said = logText()
        let job = try #require(id)
        #expect(said.contains("interrupted") && said.contains("cancelled training job \(job) on its backend")
                    && said.contains("quench jobs list"), "\(said)")
        let final = try DispatchTestSupport.waitForFinalState(job, home: home, seconds: 30)
        #expect(final["state"] as? String == "cancelled", "\(final)")
    }
}
