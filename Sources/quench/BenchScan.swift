import ArgumentParser
import Foundation
import QuenchGovernance

/// `quench bench scan`: PII-scan throughput on one core.
struct BenchScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Measure data-scan throughput (MB/s, one core) on a synthetic or given JSONL file.",
        discussion: """
            Without --file, writes a synthetic chat dataset of --megabytes MB to a temporary directory \
            (removed afterwards) and scans it. Use a release build.

            Example:
              quench bench scan --megabytes 100
            """)

    @Option(help: ArgumentHelp("A JSONL file to scan instead of the synthetic one.", valueName: "path"))
    var file: String?

    @Option(help: "Size of the synthetic file in MB.")
    var megabytes = 100

    @Option(help: "Timed scans; the fastest is reported.")
    var repetitions = 3

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let benchmark = ScanBenchmark(repetitions: repetitions)
        let report: ScanBenchmark.Report
        if let file {
            report = try benchmark.run(file: URL(fileURLWithPath: file))
        } else {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("quench-bench-scan-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let url = directory.appendingPathComponent("synthetic.jsonl")
            progress("writing \(megabytes) MB of synthetic JSONL to \(url.path)")
            try ScanBenchmark.writeSyntheticDataset(to: url, bytes: megabytes * 1_000_000)
            report = try benchmark.run(file: url)
        }
        if json { try printJSON(report) } else { print(report.rendered()) }
    }
}
