import ArgumentParser
import Foundation
import QuenchHub

/// `quench bench download`: download throughput with hashing, and the SHA-256 rate.
struct BenchDownload: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "download",
        abstract: "Measure download throughput (libcurl, SHA-256 while streaming, written to disk) and the SHA-256 rate.",
        discussion: """
            Example: quench bench download --url https://127.0.0.1:8443/big.bin --ca-bundle ca.pem --sha256 <hex>
            scripts/bench-download.sh starts a local nginx with a 200 MB file and compares with the curl command line.
            """)

    @Option(help: "The https URL of a large file (no token is sent).")
    var url: String

    @Option(help: "A PEM file of extra CAs to trust (e.g. a test CA).")
    var caBundle: String?

    @Option(help: "The expected SHA-256 of the file.")
    var sha256: String?

    @Option(help: "Timed runs; the median is reported.")
    var runs = 3

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        guard let target = URL(string: url) else { throw ValidationError("--url is not a URL: \(url)") }
        let report = try DownloadBenchmark.run(url: target, settings: CurlSettings(caBundle: caBundle), expectedSHA256: sha256,
                                               runs: runs, directory: FileManager.default.temporaryDirectory)
        if json { return try printJSON(report) }
        print(String(format: "download: %.1f MB in %.3f s = %.1f MB/s (SHA-256 while streaming, written to disk)",
                     Double(report.bytes) / 1e6, report.seconds, report.megabytesPerSecond))
        print(String(format: "fsync:    %.3f s more before the blob is renamed into the cache (curl does not fsync)", report.fsyncSeconds))
        print(String(format: "sha256:   %.1f MB/s in memory", report.sha256MegabytesPerSecond))
        print("sha256 of the file: \(report.sha256)")
    }
}
