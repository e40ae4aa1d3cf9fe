import ArgumentParser
import Foundation
import QuenchRegistry

/// `quench registry`: model versions, approvals, promotions, signatures and ML-BOMs.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Register gated models, approve them (someone else), promote them, and prove how they got there.",
        discussion: """
            The registry lives in $QUENCH_HOME (default ~/.local/share/quench): registry.sqlite, the artifact \
            store, and audit/checkpoints.jsonl. Roles come from configs/registry.yaml (or --config, or \
            $QUENCH_REGISTRY_CONFIG). The actor is the OS user; QUENCH_ACTOR is honoured only for a service \
            account that config lets this OS user act as.

            Example:
              quench registry register --name support-bot --artifacts runs/42/adapter --gate runs/42/gate.json --lineage runs/42/lineage.json
              quench registry approve support-bot@1     # as another user with the approver role
              quench registry promote support-bot@1 --to production
            """,
        subcommands: [
            RegistryList.self, RegistryShow.self, RegistryRegister.self, RegistryApprove.self, RegistryReject.self,
            RegistryPromote.self, RegistryRollback.self, RegistryArchive.self, RegistryVerify.self, RegistryBOM.self,
        ])
}

/// `--home` and `--config`, shared by every registry and audit command.
struct RegistryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The Quench home holding the registry (default: $QUENCH_HOME or ~/.local/share/quench).", valueName: "dir"))
    var home: String?

    @Option(help: ArgumentHelp("The roles config (default: $QUENCH_REGISTRY_CONFIG or configs/registry.yaml).", valueName: "file"))
    var config: String?

    /// Opens the registry these options name.
    func open() throws -> Registry {
        try Registry.open(home: home.map { URL(fileURLWithPath: $0) }, config: config.map { URL(fileURLWithPath: $0) })
    }
}

/// Parses `NAME@VERSION` arguments for ArgumentParser.
extension VersionReference: ExpressibleByArgument {
    public init?(argument: String) {
        guard let parsed = try? VersionReference(parsing: argument) else { return nil }
        self = parsed
    }
}

extension ModelAlias: ExpressibleByArgument {}

/// Prints rows under a header, each column as wide as its widest cell.
func printTable(_ header: [String], _ rows: [[String]]) {
    let widths = header.indices.map { column in
        ([header] + rows).map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
    }
    for row in [header] + rows {
        let cells = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }
        print(cells.joined(separator: "  "))
    }
}
