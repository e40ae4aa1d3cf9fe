import ArgumentParser
import Foundation
import QuenchHub

/// `quench verify-cache`: re-hash every file the snapshot manifests list.
struct VerifyCache: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-cache",
        abstract: "Re-hash the files of every snapshot Quench pulled and report any that changed or vanished.",
        discussion: "Example: quench verify-cache HuggingFaceTB/SmolLM2-135M-Instruct --json\nExits non-zero when a file does not match its manifest.")

    @Argument(help: ArgumentHelp("Only this repository (org/name). Default: every repository in the cache.", valueName: "repo"))
    var repository: String?

    @Option(help: ArgumentHelp("The hub configuration (for the cache location). Default: $QUENCH_HUB_CONFIG, else configs/hub.yaml when present.", valueName: "file"))
    var config: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let configuration = try HubConfiguration.load(from: HubConfiguration.settingsFile(explicit: config))
        let report = try CacheVerifier.verify(cacheDirectory: configuration.cacheDirectory, repo: repository)
        if json {
            try printJSON(report)
        } else {
            for entry in report.entries {
                print("\(entry.status == "ok" ? "ok      " : entry.status.uppercased().padding(toLength: 8, withPad: " ", startingAt: 0)) \(entry.repo)@\(entry.commit.prefix(12)) \(entry.path)")
            }
            for problem in report.unreadableManifests { print("UNREADABLE \(problem)") }
            print("\(report.entries.filter { $0.status == "ok" }.count) of \(report.entries.count) files verified in \(report.cacheDirectory)")
        }
        if !report.passed { throw ExitCode(1) }
    }
}
