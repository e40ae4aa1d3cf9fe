import ArgumentParser
import Foundation
import QuenchGovernance

/// `quench data redact`: a redacted copy with placeholders or keyed pseudonyms.
struct DataRedact: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Write a redacted copy of a JSONL file (the original is never modified).",
        discussion: """
            Replaces every finding whose kind the policy does not `allow` with a typed placeholder (<EMAIL>) \
            or, with --key, a pseudonym (<EMAIL_3f9a1c0b2d4e>) that is the same for the same value in every \
            file redacted with that key. The key file must be readable by its owner only (chmod 600); make \
            one with `head -c 32 /dev/urandom > pseudonym.key && chmod 600 pseudonym.key`.

            Example:
              quench data redact data/train.jsonl --out data/train.redacted.jsonl --key ~/.config/quench/pseudonym.key
            """)

    @Argument(help: ArgumentHelp("The file to redact.", valueName: "file"))
    var input: String

    @Option(help: ArgumentHelp("Where to write the redacted copy (must differ from the input).", valueName: "path"))
    var out: String

    @Option(help: ArgumentHelp("A 0600 key file for consistent pseudonyms instead of placeholders.", valueName: "path"))
    var key: String?

    @OptionGroup var policy: PolicyOptions

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        let style: RedactionStyle = try key.map { .pseudonym(try PseudonymKey.load(from: URL(fileURLWithPath: $0))) } ?? .placeholder
        let redactor = Redactor(kinds: try policy.load().redactedKinds, style: style)
        let report = try redactor.redact(input: URL(fileURLWithPath: input), output: URL(fileURLWithPath: out))
        if json {
            try printJSON(report)
        } else {
            let counts = report.replaced.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            print("wrote \(report.output): \(report.changedRecords) of \(report.records) records changed"
                  + (counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")))"))
        }
    }
}
