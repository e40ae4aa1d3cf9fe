import ArgumentParser
import Foundation
import QuenchRegistry
import QuenchRegistryClient

/// `quench audit`: the registry's tamper-evident log.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Show and verify the registry's audit log (RFC 6962 Merkle tree, signed checkpoints).",
        discussion: "Example:\n  quench audit verify && quench audit log --limit 20",
        subcommands: [AuditVerify.self, AuditLog.self])
}

/// `quench audit verify`: recompute the tree and check it against every signed checkpoint.
struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Recompute the audit tree and replay it against the registry's state; exit 2 naming what differs.",
        discussion: """
            With --registry (or $QUENCH_REGISTRY_URL), the server replays its log and this client also fetches \
            the whole log and checks it against every checkpoint it has witnessed.

            Example:
              quench audit verify --json
            """)

    @OptionGroup var registry: RegistryOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try registry.open()
        let result = try opened.verifyAudit()
        if json {
            try printJSON(result)
        } else if !result.ok {
            if let problem = result.problem {
                print("audit log BROKEN at entry \(result.firstBadEntry.map { String($0) } ?? "?"): \(problem)")
            }
            for difference in result.stateProblems { print("state differs from the audit log: \(difference)") }
        } else {
            let checkpoints = opened is RemoteRegistry ? "checkpoints this client witnessed" : "signed checkpoints"
            print("audit log intact: \(result.entries) entries, \(result.checkpoints) \(checkpoints), root \(result.root)")
        }
        if !result.ok { throw ExitCode(2) }
    }
}

/// `quench audit log`: the entries, oldest first.
struct AuditLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log", abstract: "Show the audit log, oldest first.",
        discussion: "Example:\n  quench audit log --limit 20")

    @OptionGroup var registry: RegistryOptions
    @Option(help: "Show only the last N entries.") var limit: Int?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        var entries = try registry.open().auditLog()
        if let limit { entries = Array(entries.suffix(max(0, limit))) }
        if json { return try printJSON(entries) }
        printTable(["SEQ", "AT", "ACTOR", "ACTION", "SUBJECT", "BODY"], entries.map {
            [String($0.seq), $0.at, $0.actor, $0.action, $0.subject, $0.body]
        })
    }
}
