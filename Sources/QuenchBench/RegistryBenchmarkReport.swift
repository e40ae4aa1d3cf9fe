import Foundation

/// Everything `quench bench registry` measured, ready to print or to encode as JSON.
public struct RegistryBenchmarkReport: Codable, Sendable {
    /// Throughput and latency of one operation: the median of each figure over the runs.
    public struct Figures: Codable, Sendable {
        public let operationsPerSecond: Double
        public let p50Milliseconds: Double
        public let p99Milliseconds: Double
        /// Operations timed in each run.
        public let operationsPerRun: [Int]

        /// The medians of `runs`.
        public init(runs: [Latencies]) {
            operationsPerSecond = Stopwatch.median(of: runs.map(\.perSecond))
            p50Milliseconds = Stopwatch.median(of: runs.map { $0.percentileMilliseconds(0.5) })
            p99Milliseconds = Stopwatch.median(of: runs.map { $0.percentileMilliseconds(0.99) })
            operationsPerRun = runs.map(\.samples.count)
        }
    }

    /// `sqlite` or `postgresql`.
    public let store: String
    public let cores: Int
    public let clients: Int
    public let runs: Int
    /// Versions of the listed model when reads were timed (the size of each answer).
    public let listedVersions: Int
    /// GET /v1/models/NAME/versions from the client threads, one connection per request.
    public let reads: Figures
    /// The same GET from wrk over keep-alive connections; nil when wrk is not installed.
    public let wrk: WrkRun?
    /// Whole registrations (POST upload, a PUT per file, POST version) from the client threads.
    public let registrations: Figures
    /// How the client threads connect, which weighs on their figures.
    public let connections: String

    /// A plain-text table for people.
    public func rendered() -> String {
        var lines = [
            "registry on \(store), \(cores) cores, \(clients) client threads, median of \(runs) runs",
            "connections: \(connections)",
            "",
            "                                               req/s    p50 ms    p99 ms",
            row("GET versions (\(listedVersions) versions), quench client", reads.operationsPerSecond, reads.p50Milliseconds,
                reads.p99Milliseconds),
        ]
        if let wrk {
            lines.append(row("GET versions, wrk -t\(wrk.threads) -c\(wrk.connections) keep-alive", wrk.requestsPerSecond,
                             wrk.p50Milliseconds, wrk.p99Milliseconds))
            if wrk.errorAnswers > 0 { lines.append("  wrk saw \(wrk.errorAnswers) answers other than 2xx/3xx") }
        } else {
            lines.append("GET versions, wrk: not installed (apt-get install wrk)")
        }
        lines.append(row("registrations (upload + register)", registrations.operationsPerSecond,
                         registrations.p50Milliseconds, registrations.p99Milliseconds))
        return lines.joined(separator: "\n")
    }

    private func row(_ label: String, _ rate: Double, _ p50: Double, _ p99: Double) -> String {
        label.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: "%9.1f %9.2f %9.2f", rate, p50, p99)
    }
}
