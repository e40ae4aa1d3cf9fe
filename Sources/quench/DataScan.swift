import ArgumentParser
import Foundation
import QuenchGovernance

/// `quench data scan`: findings per record and a summary by kind; fails when the policy forbids one.
struct DataScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan JSONL files for personal data and secrets and apply the policy.",
        discussion: """
            Finds e-mail addresses, phone numbers, US social security numbers, payment cards (Luhn), IBANs \
            (mod 97), IPv4/IPv6 addresses, AWS access keys, private-key blocks, JWTs and API tokens in every \
            string of every record. Findings are listed with file, line, field, offset and a masked excerpt; \
            the value itself is never printed. Exits with status 1 when a finding's kind is `fail` in the policy.

            Example:
              quench data scan data/train.jsonl data/validation.jsonl --json
            """)

    @Argument(help: ArgumentHelp("The files to scan.", valueName: "file"))
    var files: [String]

    @OptionGroup var policy: PolicyOptions

    @Option(help: "Findings to list (all are counted).")
    var limit = 1000

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let report = try DataScanner(policy: try policy.load(), findingLimit: limit)
            .scan(files: files.map { URL(fileURLWithPath: $0) })
        if json { try printJSON(report) } else { print(report.rendered()) }
        if !report.passed { throw ExitCode(1) }
    }
}
