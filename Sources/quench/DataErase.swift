import ArgumentParser
import Foundation
import QuenchGovernance
import QuenchJobs
import QuenchTrain
import QuenchData

/// The registry `quench data erase` marks models in (QUENCH_HOME, QUENCH_REGISTRY_CONFIG).
func erasureRegistry() throws -> (any ErasureRegistry)? { try RegistryGovernance.openIfPresent() }

/// `quench data erase`: a copy of a dataset without the records that mention a value.
struct DataErase: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Write a dataset without the records mentioning a value; flag models trained on the old data.",
        discussion: """
            Removes every record in which a string contains VALUE (ASCII case-insensitive, after JSON escapes \
            are decoded), writes the rest to --out (the dataset itself is never modified), prints the old and \
            new canonical fingerprints, and marks every registered model whose lineage holds the old \
            fingerprint for review. The value is never printed or stored.

            Example:
              quench data erase --match jane.roe@example.com --dataset data/train.jsonl --out data/train.v2.jsonl
            """)

    @Option(name: .customLong("match"), help: ArgumentHelp("The value whose records to remove.", valueName: "value"))
    var value: String

    @Option(help: ArgumentHelp("The dataset (JSONL).", valueName: "file"))
    var dataset: String

    @Option(help: ArgumentHelp("Where to write the dataset without the records.", valueName: "path"))
    var out: String

    @Option(help: ArgumentHelp("text, prompt_completion or chat (default: detected).", valueName: "format"))
    var format: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let registry = try erasureRegistry()
        let report = try DatasetEraser(format: try format.map(DatasetFormat.init(name:)))
            .erase(matching: value, in: URL(fileURLWithPath: dataset), writingTo: URL(fileURLWithPath: out), registry: registry)
        if json {
            try printJSON(report)
            return
        }
        print("removed \(report.removedLines.count) records; wrote \(report.output)")
        print("old fingerprint: \(report.oldFingerprint.map { "\($0) (\($0.records) records)" } ?? "none")")
        print("new fingerprint: \(report.newFingerprint.map { "\($0) (\($0.records) records)" } ?? "none")")
        if let marked = report.markedVersions {
            print(marked.isEmpty ? "no registered model was trained on the old dataset"
                  : "marked for review: \(marked.joined(separator: ", "))")
        } else {
            print("no registry is configured: look up models trained on the old fingerprint and review them by hand")
        }
    }
}
