import ArgumentParser
import Foundation
import QuenchGovernance

/// `quench data`: governance of training data (scanning, redaction, checks, erasure).
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Scan datasets for personal data and secrets, redact them, check them, erase records.",
        subcommands: [DataScan.self, DataRedact.self, DataCheck.self, DataErase.self])
}

/// `--policy`, shared by the commands that apply the governance policy.
struct PolicyOptions: ParsableArguments {
    static let defaultPath = "configs/governance.yaml"

    @Option(help: ArgumentHelp(
        "The governance policy (YAML). Default: configs/governance.yaml if present, else the built-in policy.",
        valueName: "path"))
    var policy: String?

    /// The policy named by `--policy`, the default file, or the built-in one.
    func load() throws -> GovernancePolicy {
        if let policy { return try GovernancePolicy.load(contentsOf: URL(fileURLWithPath: policy)) }
        guard FileManager.default.fileExists(atPath: Self.defaultPath) else { return .standard }
        return try GovernancePolicy.load(contentsOf: URL(fileURLWithPath: Self.defaultPath))
    }
}
