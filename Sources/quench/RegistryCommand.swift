import ArgumentParser
import Foundation
import QuenchRegistry
import QuenchRegistryClient

/// `quench registry`: model versions, approvals, promotions, signatures and ML-BOMs.
struct RegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registry",
        abstract: "Register gated models, approve them (someone else), promote them, and prove how they got there.",
        discussion: """
            Against a registry server (--registry URL or $QUENCH_REGISTRY_URL): the server authenticates you by \
            the token in $QUENCH_REGISTRY_TOKEN or the 0600 file named by $QUENCH_REGISTRY_TOKEN_FILE (never a \
            command-line argument), enforces the roles and separation of duties, and holds the signing key. \
            Every command first checks that the server's audit log extends the one this client saw before \
            (state in ~/.local/state/quench/registries/) and pins the server's public key on first use.

            Without a URL, the embedded registry in $QUENCH_HOME (default ~/.local/share/quench): \
            registry.sqlite, the artifact store, and audit/checkpoints.jsonl. Roles come from \
            configs/registry.yaml (or --config, or $QUENCH_REGISTRY_CONFIG); the actor is the OS user \
            (QUENCH_ACTOR only for a service account that config lets this OS user act as). Its separation of \
            duties is ADVISORY: whoever can edit the roles file, the database or the key can act as anyone. \
            Use a server where it must hold between people.

            Example:
              export QUENCH_REGISTRY_URL=https://registry.example:8443 QUENCH_REGISTRY_TOKEN_FILE=~/.config/quench/registry-token
              quench registry register --name support-bot --artifacts runs/42/adapter --gate runs/42/gate.json --lineage runs/42/lineage.json
              quench registry approve support-bot@1     # as another user with the approver role
              quench registry promote support-bot@1 --to production
            """,
        subcommands: [
            RegistryList.self, RegistryShow.self, RegistryRegister.self, RegistryApprove.self, RegistryReject.self,
            RegistryPromote.self, RegistryRollback.self, RegistryArchive.self, RegistryVerify.self, RegistryBOM.self, RegistryServe.self, RegistryUsers.self,
        ])
}

/// `--registry`, `--home` and `--config`, shared by every registry and audit command.
struct RegistryOptions: ParsableArguments {
    @Option(
        name: .customLong("registry"),
        help: ArgumentHelp("A registry server's URL (default: $QUENCH_REGISTRY_URL); without one, the embedded registry.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("The Quench home holding the embedded registry (default: $QUENCH_HOME or ~/.local/share/quench).", valueName: "dir"))
    var home: String?

    @Option(help: ArgumentHelp("The embedded registry's roles config (default: $QUENCH_REGISTRY_CONFIG or configs/registry.yaml).", valueName: "file"))
    var config: String?

    /// The registry server these options or the environment name, else the embedded registry.
    func open() throws -> any RegistryService {
        let environment = ProcessInfo.processInfo.environment
        guard let url = RegistryURL.configured(explicit: url, environment: environment) else {
            return try Registry.open(home: home.map { URL(fileURLWithPath: $0) }, config: config.map { URL(fileURLWithPath: $0) })
        }
        guard home == nil, config == nil else {
            throw ValidationError("--home and --config name an embedded registry; \(url) is a server, which keeps its own home and roles")
        }
        return try RemoteRegistry.connect(url, environment: environment)
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
