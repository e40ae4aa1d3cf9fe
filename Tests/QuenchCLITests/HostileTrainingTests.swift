import Foundation
import Testing
import QuenchTestSupport

/// Hostile or careless training inputs on the command line: a lowered max_steps, a corrupt
/// checkpoint, unreadable run folders end with a message naming the file and key, never a signal.
@Suite("Hostile training inputs on the command line", .timeLimit(.minutes(3)))
struct HostileTrainingTests {
    let cli = CommandLineTests()
    let folder: URL

    init() throws {
        folder = try TemporaryDirectory.create("hostile-train")
    }

    /// A LoRA config on tiny-llama running `maxSteps` steps, with a checkpoint at every step; returns its path.
    func writeConfig(maxSteps: Int, name: String = "train") throws -> String {
        let data = folder.appendingPathComponent("train.jsonl")
        if !FileManager.default.fileExists(atPath: data.path) { try TinyModel.writeData(data, count: 12) }
        let config = """
            method: lora
            output: \(folder.appendingPathComponent("out").path)
            lora: {rank: 2, alpha: 4}
            data: {train: \(data.path), max_sequence_length: 32}
            batch_size: 2
            max_steps: \(maxSteps)
            checkpoint_every: 1
            evaluate_every: 100
            """
        let url = folder.appendingPathComponent("\(name).yaml")
        try Data(config.utf8).write(to: url)
        return url.path
    }

    /// Trains four steps on tiny-llama and returns the model directory.
    func trainFourSteps() throws -> URL {
        let model = try TinyLlamaFixture.copy(into: folder)
        let (status, output) = try cli.quench("train", try writeConfig(maxSteps: 4), "--model", model.path)
        try #require(status == 0, "\(output)")
        return model
    }

    @Test("--resume after lowering max_steps below the checkpoint ends with exit 1 naming max_steps")
    func resumePastMaxSteps() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try trainFourSteps()
        let lowered = try writeConfig(maxSteps: 2, name: "l2")
        let (status, output) = try cli.quench("train", lowered, "--model", model.path, "--resume", "--force")
        #expect(status == 1 && output.contains("max_steps") && output.contains("checkpoint-00000004")
                    && output.contains("step 4"), "\(output)")
    }

    @Test("--resume of a finished run reports the last step's loss, not 0; without its metrics line it says why")
    func resumeFinishedRun() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try trainFourSteps()
        let metrics = folder.appendingPathComponent("out/metrics.jsonl")
        let lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        let last = try #require(try JSONSerialization.jsonObject(with: Data(lines[lines.count - 1].utf8)) as? [String: Any])
        let loss = String(format: "%.4f", try #require(last["loss"] as? Double))
        let config = try writeConfig(maxSteps: 4)
        let resumed = try cli.quench("train", config, "--model", model.path, "--resume")
        #expect(resumed.status == 0 && resumed.output.contains("trained 4 steps: loss \(loss)"), "\(resumed.output)")
        #expect(!resumed.output.contains("loss 0.0000"), "\(resumed.output)")

        try Data(lines.dropLast().joined(separator: "\n").utf8).write(to: metrics)
        let refused = try cli.quench("train", config, "--model", model.path, "--resume")
        #expect(refused.status == 1 && refused.output.contains(metrics.path) && refused.output.contains("step 4"),
                "\(refused.output)")
    }

    @Test("--resume from a checkpoint whose state.json says step -5 ends with exit 1 naming the file and key")
    func negativeCheckpointStep() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try trainFourSteps()
        let state = folder.appendingPathComponent("out/checkpoints/checkpoint-00000004/state.json")
        let text = try String(contentsOf: state, encoding: .utf8)
        let edited = text.replacingOccurrences(of: #""step" : 4"#, with: #""step" : -5"#)
        try #require(edited != text, "state.json no longer spells the step as expected: \(text)")
        try Data(edited.utf8).write(to: state)
        let (status, output) = try cli.quench("train", try writeConfig(maxSteps: 4), "--model", model.path, "--resume")
        #expect(status == 1 && output.contains(state.path) && output.contains("step"), "\(output)")
    }

    @Test("bench train --steps -1 and bench forward --window Int.max are refused naming the option, not a trap",
          arguments: [["train", "--steps", "-1"], ["train", "--steps", "0"], ["train", "--time", "9223372036854775807"],
                      ["forward", "--window", "9223372036854775807"]])
    func hostileBenchmarkSizes(_ arguments: [String]) throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try TinyLlamaFixture.copy(into: folder)
        let (status, output) = try cli.quench(["bench"] + arguments + ["--model", model.path])
        #expect(status == 64 && output.contains(arguments[1]), "\(output)")
    }

    @Test("runs list names a run folder whose state.json cannot be read on stderr, and --json stays valid")
    func runsListReportsUnreadableState() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("runs/broken-run")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try Data("{ not json".utf8).write(to: broken.appendingPathComponent("state.json"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("runs/not-a-run"),
                                                withIntermediateDirectories: true)
        let runs = folder.appendingPathComponent("runs").path
        let (status, output) = try cli.quench("runs", "list", "--runs", runs)
        #expect(status == 0 && output.contains("skipped \(broken.standardizedFileURL.path): ")
                    && output.contains("state.json") && !output.contains("not-a-run"), "\(output)")

        let listed = try QuenchBinary.run(["runs", "list", "--runs", runs, "--json"])
        let errors = listed.standardError
        #expect(try JSONSerialization.jsonObject(with: Data(listed.standardOutput.utf8)) as? [Any] != nil, "\(listed.standardOutput)")
        #expect(errors.contains("skipped \(broken.standardizedFileURL.path)"), "\(errors)")
    }
}
