import Foundation

/// `quench bench registry`: a real `quench registry serve` process on a throwaway home (SQLite, or the
/// PostgreSQL database `storeArguments` name), loaded by concurrent client threads, and by wrk when installed.
public struct RegistryBenchmark {
    /// The `quench` executable that serves.
    public var executable: URL
    /// `--database URL` and `--database-password-file FILE` for PostgreSQL; empty for SQLite in the home.
    public var storeArguments: [String]
    /// Versions registered before reads are timed (the length of the listed answer).
    public var listedVersions: Int
    /// Registrations timed in each run.
    public var registrations: Int
    /// Concurrent client threads.
    public var clients: Int
    /// Timed runs of each measurement; medians are reported.
    public var runs: Int
    /// Seconds of each timed read run.
    public var readSeconds: Double
    /// Seconds of the wrk run.
    public var wrkSeconds: Int

    /// The model every version is registered under.
    static let model = "bench-model"

    public init(executable: URL, storeArguments: [String], listedVersions: Int = 20, registrations: Int = 50, clients: Int = 8,
                runs: Int = 3, readSeconds: Double = 5, wrkSeconds: Int = 10) {
        self.executable = executable
        self.storeArguments = storeArguments
        self.listedVersions = listedVersions
        self.registrations = registrations
        self.clients = clients
        self.runs = runs
        self.readSeconds = readSeconds
        self.wrkSeconds = wrkSeconds
    }

    /// Starts the server, registers `listedVersions`, times reads (ours, then wrk's) and registrations, stops
    /// the server and removes the throwaway home.
    public func run(progress: (String) -> Void) throws -> RegistryBenchmarkReport {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("quench-bench-registry-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let home = scratch.appendingPathComponent("home")
        let token = try RegistryBenchServer.addUser(
            "bench-trainer", roles: ["trainer"], executable: executable, home: home, storeArguments: storeArguments)
        let server = try RegistryBenchServer(executable: executable, home: home, storeArguments: storeArguments)
        defer { server.stop() }
        progress("server at \(server.url) (\(storeName)); registering \(listedVersions) versions")
        let client = RegistryBenchClient(base: server.url, token: token)
        for index in 0..<listedVersions {
            try client.register(try RegistryBenchCandidate(directory: scratch.appendingPathComponent("seed/\(index)")), as: Self.model)
        }

        var reads: [Latencies] = []
        for run in 1...runs {
            let timed = try ConcurrentLoad.run(clients: clients, limit: .seconds(readSeconds)) { _ in
                try client.listVersions(of: Self.model)
            }
            progress(String(format: "reads run %d: %.1f req/s", run, timed.perSecond))
            reads.append(timed)
        }
        var wrk: WrkRun?
        if let program = WrkRun.executable() {
            progress("wrk -t2 -c16 -d\(wrkSeconds)s")
            wrk = try WrkRun.run(program, url: "\(server.url)/v1/models/\(Self.model)/versions", token: token, threads: 2,
                                 connections: 16, seconds: wrkSeconds, scratch: scratch)
        }

        var registered: [Latencies] = []
        for run in 1...runs {
            let candidates = try (0..<registrations).map {
                try RegistryBenchCandidate(directory: scratch.appendingPathComponent("run\(run)/\($0)"))
            }
            let timed = try ConcurrentLoad.run(clients: clients, limit: .operations(registrations)) { index in
                try client.register(candidates[index], as: Self.model)
            }
            progress(String(format: "registrations run %d: %.1f/s", run, timed.perSecond))
            registered.append(timed)
        }
        return RegistryBenchmarkReport(
            store: storeName, cores: ProcessInfo.processInfo.activeProcessorCount, clients: clients, runs: runs,
            listedVersions: listedVersions, reads: .init(runs: reads), wrk: wrk, registrations: .init(runs: registered),
            connections: "the quench client (libcurl, one easy handle per request) opens a new TCP connection for every "
                + "request, so its figures include a connect and close per request; wrk keeps its connections alive")
    }

    private var storeName: String { storeArguments.contains("--database") ? "postgresql" : "sqlite" }
}
