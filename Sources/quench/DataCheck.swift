import ArgumentParser
import Foundation
import QuenchGovernance
import QuenchTrain
import QuenchData

/// `quench data check`: record validity, duplicates, train/validation overlap and fingerprints.
struct DataCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check JSONL datasets: valid records, no empty or over-long ones, duplicates, overlap, fingerprint.",
        discussion: """
            Reports invalid UTF-8, invalid JSON and records invalid for the format with their line numbers, \
            counts exact and near duplicates, counts validation records also in the training file, and prints \
            each file's canonical fingerprint (sha256 of the canonical records and their count). Exits with \
            status 1 when a check fails.

            Example:
              quench data check data/train.jsonl --validation data/validation.jsonl --format prompt_completion
            """)

    @Argument(help: ArgumentHelp("The training file.", valueName: "file"))
    var train: String

    @Option(help: ArgumentHelp("A validation file, checked for overlap with the training file.", valueName: "file"))
    var validation: String?

    @Option(help: ArgumentHelp("text, prompt_completion or chat (default: detected from the first record).", valueName: "format"))
    var format: String?

    @OptionGroup var policy: PolicyOptions

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let checker = DatasetChecker(limits: try policy.load().checks, format: try format.map(DatasetFormat.init(name:)))
        let trainURL = URL(fileURLWithPath: train)
        let passed: Bool
        if let validation {
            let pair = try checker.check(train: trainURL, validation: URL(fileURLWithPath: validation))
            passed = pair.passed
            if json {
                try printJSON(pair)
            } else {
                print(pair.train.rendered())
                print(pair.validation.rendered())
                print("train/validation overlap: \(pair.overlappingRecords) identical, \(pair.nearOverlappingRecords) near")
            }
        } else {
            let report = try checker.check(trainURL)
            passed = report.passed
            if json { try printJSON(report) } else { print(report.rendered()) }
        }
        if !passed { throw ExitCode(1) }
    }
}
