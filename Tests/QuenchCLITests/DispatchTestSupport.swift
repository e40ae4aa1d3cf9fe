import Foundation
import QuenchTestSupport
import Testing

/// Shared pieces of the dispatch tests: a training configuration for tiny-llama, the built `quench`
/// run with its own QUENCH_HOME, and the JSON it prints.
enum DispatchTestSupport {
    /// The built `quench` binary (the same one plays the remote side).
    static var quench: URL { QuenchBinary.url }

    /// A LoRA configuration for tiny-llama over a small text file, `steps` optimizer steps.
    static func trainingConfig(in folder: URL, model: URL, steps: Int = 4, name: String = "train") throws -> URL {
        let data = folder.appendingPathComponent("\(name)-data.jsonl")
        let lines = (0..<24).map { #"{"text": "Line \#($0): the quick brown fox jumps over the lazy dog."}"# }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: data)
        let config = """
            # a tiny LoRA run for the dispatch tests
            model: \(model.path)
            method: lora
            output: \(folder.appendingPathComponent("\(name)-local-run").path)
            lora: {rank: 4, alpha: 8}
            data: {train: \(data.path), max_sequence_length: 32}
            optimizer: {learning_rate: 1.0e-3}
            schedule: {kind: constant}
            batch_size: 2
            max_steps: \(steps)
            checkpoint_every: \(max(steps, 1000))
            evaluate_every: 1000
            """
        let url = folder.appendingPathComponent("\(name).yaml")
        try Data(config.utf8).write(to: url)
        return url
    }

    /// Runs the built `quench` with QUENCH_HOME set to `home` (created first); `output` is standard
    /// output followed by standard error, so JSON on standard output starts it.
    static func run(_ arguments: [String], home: URL, environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let result = try QuenchBinary.run(arguments, environment: ["QUENCH_HOME": home.path].merging(extra) { $1 })
        return (result.status, result.output)
    }

    /// The JSON object printed by a `--json` command.
    static func json(_ output: String) throws -> [String: Any] {
        let start = try #require(output.firstIndex(of: "{"), "no JSON in: \(output)")
        // Pretty-printed JSON closes its top-level object with "}" at the start of a line; what follows
        // is standard error.
        let end = output.range(of: "\n}", range: start..<output.endIndex)?.upperBound ?? output.endIndex
        return try #require(try JSONSerialization.jsonObject(with: Data(output[start..<end].utf8)) as? [String: Any],
                            "not a JSON object: \(output)")
    }

    /// Polls `quench jobs status ID --json` until the state is final; returns the last answer.
    static func waitForFinalState(_ id: String, home: URL, seconds: Double) throws -> [String: Any] {
        let finalStates: Set<String> = ["succeeded", "failed", "cancelled", "timed_out", "preempted", "out_of_memory"]
        var last: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let (status, output) = try run(["jobs", "status", id, "--json"], home: home)
            try #require(status == 0, "jobs status failed: \(output)")
            last = try json(output)
            if let state = last["state"] as? String, finalStates.contains(state) { return last }
            Thread.sleep(forTimeInterval: 1)
        }
        return last
    }

    /// The job id from `quench jobs submit --json` output.
    static func submittedID(_ output: String) throws -> String {
        let record = try json(output)
        let job = try #require(record["job"] as? [String: Any], "no job in: \(output)")
        return try #require(job["id"] as? String)
    }
}
