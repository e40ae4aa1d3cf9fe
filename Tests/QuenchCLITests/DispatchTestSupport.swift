import Foundation
import Testing
@testable import QuenchTokenizer

/// Shared pieces of the dispatch tests: a tiny trainable model, a training configuration, the built
/// `quench` run with its own QUENCH_HOME, free ports and socket polling.
enum DispatchTestSupport {
    /// The built `quench` binary (the same one plays the remote side).
    static var quench: URL { CommandLineTests().productsDirectory().appendingPathComponent("quench") }

    static let fixtures: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }()

    /// A fresh temporary folder.
    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = URL(fileURLWithPath: "/tmp").appendingPathComponent("quench-\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// GPT-2's byte-to-character table: byte b is token b in a 256-token byte-level vocabulary.
    static let byteTokens: [String] = {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        var result = [String](repeating: "", count: 256)
        var shifted = 256
        for byte in 0..<256 {
            var value = byte
            if !printable.contains(byte) {
                value = shifted
                shifted += 1
            }
            result[byte] = Unicode.Scalar(UInt32(value)).map { String(Character($0)) } ?? ""
        }
        return result
    }()

    /// tiny-llama (vocabulary 256) with a byte-level tokenizer.json, so it can be trained on text.
    static func tinyLlama(in folder: URL) throws -> URL {
        let model = folder.appendingPathComponent("tiny-llama")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        for name in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent("tiny-llama/\(name)"),
                                             to: model.appendingPathComponent(name))
        }
        let vocab = Dictionary(uniqueKeysWithValues: byteTokens.enumerated().map { ($0.element, $0.offset) })
        let tokenizer: [String: Any] = [
            "version": "1.0", "added_tokens": [Any](), "normalizer": NSNull(),
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "use_regex": true],
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocab, "merges": [String](), "ignore_merges": false],
        ]
        try JSONSerialization.data(withJSONObject: tokenizer).write(to: model.appendingPathComponent("tokenizer.json"))
        return model
    }

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

    /// Runs the built `quench` with QUENCH_HOME set to `home`; `output` is standard output followed by
    /// standard error, so JSON on standard output starts it.
    static func run(_ arguments: [String], home: URL, environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = quench
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["QUENCH_HOME"] = home.path
        environment.merge(extra) { $1 }
        process.environment = environment
        let errors = home.appendingPathComponent("stderr-\(UUID().uuidString.prefix(8)).txt")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? FileManager.default.removeItem(at: errors) }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errorHandle
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errorHandle.close()
        let errorText = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        return (process.terminationStatus, String(decoding: data, as: UTF8.self) + errorText)
    }

    /// Runs a system program and returns its exit status and combined output.
    @discardableResult
    static func system(_ program: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts a daemon that forks into the background and writes `pidFile`; returns its pid once the
    /// file names a live process. Daemons are not kept as `Process` children: sshd and Slurm close
    /// the descriptors Foundation watches, which it mistakes for an exit and then blocks reaping.
    /// Its output goes to `pidFile` + ".out". Spawned with posix_spawn and every descriptor above 2
    /// closed: a daemon keeps what it inherits, and Foundation's Process then never sees its parent end.
    static func startDaemon(_ program: String, _ arguments: [String], pidFile: URL, environment: [String: String] = [:]) throws -> pid_t {
        let logPath = pidFile.path + ".out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc ≥ 2.34 has posix_spawn_file_actions_addclosefrom_np, but its header hides it from Swift.
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        let symbol = try #require(dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"),
                                  "this C library cannot close inherited descriptors in posix_spawn")
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = variables.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var parent: pid_t = 0
        let spawned = posix_spawn(&parent, program, &actions, nil, argv, envp)
        try #require(spawned == 0, "cannot start \(program): error \(spawned)")
        var status: Int32 = 0
        while waitpid(parent, &status, 0) == -1 && errno == EINTR {}
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        try #require(status == 0, "\(program) did not start (wait status \(status)): \(output)")
        var pid: pid_t = 0
        let started = waitUntil(seconds: 20) {
            guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
                  let value = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 1 else { return false }
            pid = value
            return kill(value, 0) == 0
        }
        try #require(started, "\(program) wrote no pid file at \(pidFile.path): \(output)")
        return pid
    }

    /// Sends SIGTERM to a daemon started by `startDaemon`, then SIGKILL if it has not gone in 10 s.
    static func stopDaemon(_ pid: pid_t) {
        guard pid > 1, kill(pid, SIGTERM) == 0 else { return }
        if !waitUntil(seconds: 5, { kill(pid, 0) != 0 }) { kill(pid, SIGKILL) }
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

    /// A TCP port nothing listens on right now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound, "cannot bind a probe socket")
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass.
    static func waitUntil(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return try condition()
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
