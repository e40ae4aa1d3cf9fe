import Foundation
import QuenchFiles

/// One run of `wrk` (Debian's HTTP load generator, written in C with keep-alive connections) against a GET
/// with a bearer token: the same endpoint measured by a client with almost no overhead of its own.
public struct WrkRun: Codable, Sendable {
    public let threads: Int
    public let connections: Int
    public let seconds: Int
    public let requestsPerSecond: Double
    public let p50Milliseconds: Double
    public let p99Milliseconds: Double
    /// Answers other than 2xx or 3xx (wrk counts them as requests too).
    public let errorAnswers: Int

    /// `wrk` on PATH, or nil when it is not installed.
    public static func executable(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent("wrk") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs `wrk -t threads -c connections -d seconds --latency` against `url`; the Authorization header is
    /// set by a Lua script in `scratch` (mode 0600), so the token is never in wrk's arguments.
    public static func run(
        _ wrk: URL, url: String, token: String, threads: Int, connections: Int, seconds: Int, scratch: URL
    ) throws -> WrkRun {
        let script = scratch.appendingPathComponent("wrk-authorization.lua")
        try AtomicFile.write(Data("wrk.headers[\"Authorization\"] = \"Bearer \(token)\"\n".utf8), to: script, permissions: 0o600)
        defer { try? FileManager.default.removeItem(at: script) }
        let text = try ProgramRun.output(
            of: wrk, ["-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--latency", "-s", script.path, url], command: "wrk")
        return try parse(text, threads: threads, connections: connections, seconds: seconds)
    }

    /// Reads the figures from wrk's report: `Requests/sec:`, the `--latency` distribution's 50% and 99% lines
    /// and `Non-2xx or 3xx responses:` when present.
    static func parse(_ text: String, threads: Int, connections: Int, seconds: Int) throws -> WrkRun {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        func value(after prefix: String) -> String? {
            lines.first { $0.hasPrefix(prefix) }.map { $0.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces) }
        }
        guard let rate = value(after: "Requests/sec:").flatMap(Double.init) else {
            throw BenchmarkError.unreadableOutput(tool: "wrk", what: "Requests/sec line")
        }
        guard let p50 = value(after: "50%").flatMap(milliseconds), let p99 = value(after: "99%").flatMap(milliseconds) else {
            throw BenchmarkError.unreadableOutput(tool: "wrk", what: "latency distribution (50% and 99% lines)")
        }
        let errors = value(after: "Non-2xx or 3xx responses:").flatMap { Int($0) } ?? 0
        return WrkRun(threads: threads, connections: connections, seconds: seconds, requestsPerSecond: rate,
                      p50Milliseconds: p50, p99Milliseconds: p99, errorAnswers: errors)
    }

    /// A wrk duration such as `812.00us`, `1.53ms`, `2.01s` or `1.02m`, in milliseconds.
    static func milliseconds(_ text: String) -> Double? {
        for (unit, scale) in [("us", 0.001), ("ms", 1.0), ("s", 1000.0), ("m", 60_000.0)] where text.hasSuffix(unit) {
            return Double(text.dropLast(unit.count)).map { $0 * scale }
        }
        return nil
    }
}
