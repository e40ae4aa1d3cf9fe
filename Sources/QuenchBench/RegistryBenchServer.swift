import Foundation

/// A `quench registry serve` process on a throwaway home, plain HTTP on 127.0.0.1 with a port the system
/// picks, and its API users; stopped (SIGTERM) by `stop()`.
public final class RegistryBenchServer {
    /// The base URL the server announced, e.g. `http://127.0.0.1:41234`.
    public let url: String
    /// The server's standard output and error (one access-log line per request).
    public let log: URL
    private let process: Process

    private static let announcement = "quench registry listening on "

    /// Starts `executable registry serve --home home --listen 127.0.0.1:0` with `storeArguments` and waits
    /// up to 30 s for it to announce its address.
    public init(executable: URL, home: URL, storeArguments: [String]) throws {
        log = home.deletingLastPathComponent().appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        process = Process()
        process.executableURL = executable
        process.arguments = ["registry", "serve", "--home", home.path, "--listen", "127.0.0.1:0"] + storeArguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var announced: String?
        for _ in 0..<300 where announced == nil && process.isRunning {
            Thread.sleep(forTimeInterval: 0.1)
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            announced = text.split(separator: "\n").first { $0.hasPrefix(Self.announcement) }
                .flatMap { $0.dropFirst(Self.announcement.count).split(separator: " ").first.map(String.init) }
        }
        guard let announced else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            throw BenchmarkError.serverDidNotStart(log: log.path, output: String(text.suffix(2000)))
        }
        url = announced
    }

    deinit { stop() }

    /// Sends SIGTERM and waits for the server to finish.
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Runs `executable registry users add NAME --role … --home home` with `storeArguments` and returns the
    /// token it printed on its last line (read from a pipe, never passed in arguments).
    public static func addUser(
        _ name: String, roles: [String], executable: URL, home: URL, storeArguments: [String]
    ) throws -> String {
        let text = try ProgramRun.output(
            of: executable, ["registry", "users", "add", name, "--home", home.path] + roles.flatMap { ["--role", $0] } + storeArguments,
            command: "quench registry users add \(name)")
        guard let token = text.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }).last(where: { !$0.isEmpty }) else {
            throw BenchmarkError.unreadableOutput(tool: "quench registry users add", what: "token")
        }
        return token
    }
}
