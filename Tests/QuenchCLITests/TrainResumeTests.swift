import Foundation
import Testing
import QuenchTestSupport

/// `quench train` killed with SIGKILL and resumed ends with the same adapter, bit for bit, as a run
/// that was never interrupted; a changed configuration is refused.
@Suite struct TrainResumeTests {
    let cli = CommandLineTests()

    func writeConfig(_ folder: URL, output: String, learningRate: String = "1.0e-3") throws -> String {
        let data = folder.appendingPathComponent("train.jsonl")
        if !FileManager.default.fileExists(atPath: data.path) {
            let lines = (0..<40).map { i in
                #"{"prompt": "Question \#(i): what is \#(i) plus \#(i)?", "completion": " \#(i) plus \#(i) is \#(2 * i)."}"#
            }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        }
        let config = """
            method: lora
            output: \(folder.appendingPathComponent(output).path)
            lora: {rank: 4, alpha: 8}
            data: {train: \(data.path), max_sequence_length: 48}
            optimizer: {learning_rate: \(learningRate)}
            schedule: {kind: linear, warmup_steps: 2}
            batch_size: 2
            max_steps: 10
            checkpoint_every: 2
            evaluate_every: 100
            """
        let url = folder.appendingPathComponent("\(output).yaml")
        try Data(config.utf8).write(to: url)
        return url.path
    }

    @Test(.requiresDemoModel) func killedRunResumesToTheSameAdapter() throws {
        let model = DemoModelFile.url.path
        let folder = try TemporaryDirectory.create("resume")
        defer { try? FileManager.default.removeItem(at: folder) }

        let straight = try writeConfig(folder, output: "straight")
        let (status, output) = try cli.quench(["train", straight, "--model", model])
        #expect(status == 0, "\(output)")

        let interrupted = try writeConfig(folder, output: "interrupted")
        let process = Process()
        process.executableURL = QuenchBinary.url
        process.arguments = ["train", interrupted, "--model", model]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let latest = folder.appendingPathComponent("interrupted/checkpoints/latest")
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            if let name = try? String(contentsOf: latest, encoding: .utf8), name >= "checkpoint-00000004" { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run must be killed mid-way for the test to mean anything")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("interrupted/adapter").path))

        let changed = try writeConfig(folder, output: "interrupted", learningRate: "2.0e-3")
        let (refused, message) = try cli.quench(["train", changed, "--model", model, "--resume"])
        #expect(refused != 0 && message.contains("--force"), "\(message)")

        let resumed = try writeConfig(folder, output: "interrupted")
        let (resumeStatus, resumeOutput) = try cli.quench(["train", resumed, "--model", model, "--resume"])
        #expect(resumeStatus == 0, "\(resumeOutput)")
        let a = try Data(contentsOf: folder.appendingPathComponent("straight/adapter/adapter_model.safetensors"))
        let b = try Data(contentsOf: folder.appendingPathComponent("interrupted/adapter/adapter_model.safetensors"))
        #expect(a == b, "the resumed adapter differs from the uninterrupted one")
        let metrics = try String(contentsOf: folder.appendingPathComponent("interrupted/metrics.jsonl"), encoding: .utf8)
        #expect(metrics.split(separator: "\n").count == 10, "one metrics line per step after resuming")
    }
}
