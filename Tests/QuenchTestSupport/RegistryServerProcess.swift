import Foundation

/// A `quench registry serve` started by a test on a free loopback port, with its log (the access log
/// and the "listening" line) in a file; stopped with SIGTERM when the test drops it.
public final class RegistryServerProcess {
    /// The server's home.
    public let home: URL
    /// The base URL it announced, e.g. `http://127.0.0.1:41234`.
    public let url: String
    /// Standard output and error of the server.
    public let log: URL
    private let process: Process

    /// The `quench` binary built with the tests.
    public static var binary: URL { ProcessRunner.productsDirectory.appendingPathComponent("quench") }

    /// Starts a server on `home` (plain HTTP on 127.0.0.1, port chosen by the system) with `arguments`
    /// added, and waits up to 30 s for it to announce its URL.
    public init(home: URL, arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.home = home
        log = home.deletingLastPathComponent().appendingPathComponent("server-\(UUID().uuidString.prefix(8)).log")
        process = try ProcessRunner.start(
            Self.binary, ["registry", "serve", "--home", home.path, "--listen", "127.0.0.1:0"] + arguments,
            environment: environment, log: log)
        var announced: String?
        let log = self.log
        let process = self.process
        _ = Polling.waitUntil(seconds: 30) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("quench registry listening on ") }) {
                announced = line.dropFirst("quench registry listening on ".count).split(separator: " ").first.map(String.init)
            }
            return announced != nil || !process.isRunning
        }
        guard let announced else {
            process.terminate()
            process.waitUntilExit()
            throw TestSetupError.command("quench registry serve did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        url = announced
    }

    deinit { stop() }

    /// Sends SIGTERM and waits for the server to finish; returns its exit status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// Everything the server wrote so far.
    public var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// The access-log lines so far, each a JSON object.
    public var accessLog: [String] {
        output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("{") }
    }

    /// Runs `quench registry users add NAME --role …` on `home` (with `arguments` added, such as `--database`)
    /// and returns the token it printed last.
    public static func addUser(_ name: String, roles: [String], home: URL, arguments: [String] = []) throws -> String {
        let result = try ProcessRunner.run(binary, ["registry", "users", "add", name, "--home", home.path] + roles.flatMap { ["--role", $0] } + arguments)
            .checked("quench registry users add")
        guard let token = result.standardOutput.split(separator: "\n").last.map(String.init), !token.isEmpty else {
            throw TestSetupError.command("quench registry users add printed no token: \(result.output)")
        }
        return token
    }
}
