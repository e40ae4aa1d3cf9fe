import ArgumentParser
import Foundation
import QuenchFiles
import QuenchJobs
import QuenchSecurity

/// `quench runs`: the runs on this machine.
struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List runs and show one.",
        subcommands: [List.self, Show.self])

    /// `quench runs list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the runs under the runs folder, newest first.",
            discussion: "Example:\n  quench runs list --json | jq '.[0].status'")

        @Option(help: ArgumentHelp("The runs folder.", valueName: "dir"))
        var runs = "runs"

        @Flag(help: "Print JSON.")
        var json = false

        func run() throws {
            let (entries, skipped) = RunCatalog.list(under: URL(fileURLWithPath: runs))
            for folder in skipped { StandardStream.error.write(Scrub.text("skipped \(folder.directory): \(folder.reason)") + "\n") }
            if json { return try printJSON(entries) }
            guard !entries.isEmpty else { return print("no runs under \(runs)") }
            let formatter = ISO8601DateFormatter()
            for entry in entries {
                print("\(formatter.string(from: entry.createdAt))  \(entry.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0))  "
                      + "\(entry.directory)" + (entry.headline.map { "\n    \(Scrub.text($0))" } ?? ""))
            }
        }
    }

    /// `quench runs show`.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one run: its status, stages and report.",
            discussion: "Example:\n  quench runs show runs/smollm2-135m_lora_quickstart-20261121T101500Z")

        @Argument(help: ArgumentHelp("The run folder.", valueName: "run-dir"))
        var directory: String

        @Flag(help: "Print state.json as JSON.")
        var json = false

        func run() throws {
            let url = URL(fileURLWithPath: directory)
            let state = try RunState.load(from: url)
            if json { return try printJSON(state) }
            print("\(state.job): \(state.observedStatus.rawValue)  (spec \(state.spec), Quench \(state.quenchVersion))")
            for stage in state.stages {
                let seconds = stage.seconds.map { String(format: "%7.1fs", $0) } ?? "        "
                print("  \(stage.name.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(stage.status.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(seconds)  \(Scrub.text(stage.summary))")
            }
            if state.observedStatus == .interrupted || state.observedStatus == .failed {
                print("resume with: quench run --resume \(url.standardizedFileURL.path)")
            }
            let report = url.appendingPathComponent("report.html")
            if FileManager.default.fileExists(atPath: report.path) { print("report: \(report.path)") }
        }
    }
}
