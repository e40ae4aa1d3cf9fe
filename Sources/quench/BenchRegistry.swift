import ArgumentParser
import Foundation
import QuenchBench

/// `quench bench registry`: requests/s and p99 latency of a real registry server, reads and registrations.
struct BenchRegistry: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Measure a registry server: GET /v1/models/NAME/versions and registrations, requests/s and p99.",
        discussion: """
            Starts `quench registry serve` (this executable) on a throwaway home and 127.0.0.1, registers \
            --versions versions, then times the version list from --clients threads and, when wrk is installed, \
            from `wrk -t2 -c16 --latency`, then whole registrations (upload + register). SQLite in the home by \
            default; --database names an empty PostgreSQL database (password from --database-password-file or \
            QUENCH_REGISTRY_DATABASE_PASSWORD). scripts/bench-registry.sh runs both stores. Use a release build.
            """)

    @Option(help: ArgumentHelp("A postgres:// URL of an empty database (default: SQLite in the throwaway home).", valueName: "url"))
    var database: String?

    @Option(name: .customLong("database-password-file"), help: ArgumentHelp("A 0600 file holding the database password.", valueName: "file"))
    var databasePasswordFile: String?

    @Option(help: "Versions registered before reads are timed.")
    var versions = 20

    @Option(help: "Registrations timed in each run.")
    var registrations = 50

    @Option(help: "Concurrent client threads.")
    var clients = 8

    @Option(help: "Timed runs of each measurement; the medians are reported.")
    var runs = 3

    @Option(help: "Seconds of each timed read run.")
    var seconds = 5.0

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard versions >= 1, registrations >= 1, clients >= 1, runs >= 1, seconds > 0, seconds <= 3600 else {
            throw ValidationError("--versions, --registrations, --clients and --runs must be at least 1, --seconds within (0, 3600]")
        }
        guard databasePasswordFile == nil || database != nil else {
            throw ValidationError("--database-password-file needs --database")
        }
    }

    func run() throws {
        guard let executable = Bundle.main.executableURL else {
            throw ValidationError("cannot find the quench executable to start the server with")
        }
        let storeArguments = (database.map { ["--database", $0] } ?? [])
            + (databasePasswordFile.map { ["--database-password-file", $0] } ?? [])
        let benchmark = RegistryBenchmark(
            executable: executable, storeArguments: storeArguments, listedVersions: versions, registrations: registrations,
            clients: clients, runs: runs, readSeconds: seconds)
        let report = try benchmark.run(progress: progress)
        if json { try printJSON(report) } else { print(report.rendered()) }
    }
}
