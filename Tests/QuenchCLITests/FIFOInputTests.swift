import Foundation
import Testing
import QuenchTestSupport

/// A FIFO (named pipe) wherever a command reads a user-supplied file: every command refuses it at
/// once, naming the path and "FIFO", and ends with its error status (1, or 2 for `gate` and `run`), never
/// waiting for a writer that will not come.
@Suite("FIFO inputs on the command line", .timeLimit(.minutes(5)))
struct FIFOInputTests {
    let folder: URL

    init() throws {
        folder = try TemporaryDirectory.create("fifo")
    }

    /// A FIFO at `name` under the scratch folder.
    func fifo(_ name: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try #require(mkfifo(url.path, 0o600) == 0)
        return url
    }

    /// `text` written to `name` under the scratch folder.
    func file(_ name: String, _ text: String) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Runs quench, killing it after `seconds`; `timedOut` says it had to be killed (it hung).
    func quench(_ arguments: [String], home: URL? = nil, seconds: Double = 15) throws
        -> (status: Int32, output: String, timedOut: Bool) {
        let process = Process()
        process.executableURL = QuenchBinary.url
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["QUENCH_HOME"] = (home ?? folder.appendingPathComponent("home")).path
        process.environment = environment
        // Output goes to a file, not a pipe, so a hung command cannot also block the test on a full pipe.
        let log = folder.appendingPathComponent("output-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8), timedOut)
    }

    /// The command ended by itself with an error status, naming `path` and saying it is a FIFO.
    func expectRefused(_ arguments: [String], path: URL, status: Int32 = 1, home: URL? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try quench(arguments, home: home)
        #expect(!result.timedOut, "quench \(arguments.joined(separator: " ")) hung on a FIFO", sourceLocation: sourceLocation)
        #expect(result.status == status && result.output.contains(path.path) && result.output.contains("FIFO"),
                "status \(result.status): \(result.output)", sourceLocation: sourceLocation)
    }

    /// A LoRA training config on tiny-llama reading `data`.
    func trainingConfig(data: URL) throws -> URL {
        try file("train.yaml", """
            method: lora
            output: \(folder.appendingPathComponent("out").path)
            lora: {rank: 2, alpha: 4}
            data: {train: \(data.path), max_sequence_length: 32}
            batch_size: 2
            max_steps: 1
            """)
    }

    @Test("quench train with a FIFO as the config")
    func trainConfig() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try fifo("train.yaml")
        try expectRefused(["train", config.path, "--model", TinyLlamaFixture.copy(into: folder).path], path: config)
    }

    @Test("quench train with a FIFO as data.train")
    func trainData() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try fifo("train.jsonl")
        try expectRefused(["train", trainingConfig(data: data).path, "--model", TinyLlamaFixture.copy(into: folder).path], path: data)
    }

    @Test("quench eval --data with a FIFO")
    func evalData() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try fifo("eval.jsonl")
        try expectRefused(["eval", "--model", TinyLlamaFixture.copy(into: folder).path, "--data", data.path], path: data)
    }

    @Test("quench gate with a FIFO as a set's path")
    func gateSet() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try fifo("task.jsonl")
        let gate = try file("gate.yaml", """
            context: 32
            sets:
              - {name: task, path: task.jsonl, format: prompt_completion, role: task}
            thresholds: {max_loss: 50, min_tokens: 1}
            """)
        let model = try TinyLlamaFixture.copy(into: folder).path
        try expectRefused(["gate", "--gate", gate.path, "--model", model, "--tuned-model", model,
                           "--out", folder.appendingPathComponent("gate-out").path], path: data, status: 2)
    }

    @Test("quench data scan, redact and a FIFO policy")
    func dataCommands() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try fifo("records.jsonl")
        try expectRefused(["data", "scan", data.path], path: data)
        try expectRefused(["data", "redact", data.path, "--out", folder.appendingPathComponent("clean.jsonl").path], path: data)
        let records = try file("ok.jsonl", #"{"text": "hello"}"# + "\n")
        let policy = try fifo("policy.yaml")
        try expectRefused(["data", "scan", records.path, "--policy", policy.path], path: policy)
    }

    @Test("quench run with a FIFO as the job spec")
    func jobSpec() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = try fifo("job.yaml")
        try expectRefused(["run", spec.path, "--runs", folder.appendingPathComponent("runs").path], path: spec, status: 2)
    }

    @Test("quench verify with a FIFO as the key and as model.sig")
    func verifyFiles() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: model.appendingPathComponent("config.json"))
        let key = try fifo("signing.pub")
        try expectRefused(["verify", model.path, "--key", key.path], path: key)

        let keygen = try quench(["keygen", "--json"])
        try #require(keygen.status == 0, "\(keygen.output)")
        let pair = try #require(try JSONSerialization.jsonObject(with: Data(keygen.output.utf8)) as? [String: String])
        let publicKey = try #require(pair["publicKeyPath"])
        let signature = try fifo("model/model.sig")
        try expectRefused(["verify", model.path, "--key", publicKey], path: signature)
    }

    @Test("quench runs show with a FIFO as state.json")
    func runState() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = try fifo("runs/run-1/state.json")
        try expectRefused(["runs", "show", state.deletingLastPathComponent().path], path: state)
    }
}
