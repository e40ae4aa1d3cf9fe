import ArgumentParser
import Foundation
import QuenchFiles
import QuenchRegistry
import QuenchRegistryClient
import QuenchSecurity

/// `quench registry list`: every version with its status and aliases.
struct RegistryList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List model versions with status, aliases, creator and approver.",
        discussion: "Example:\n  quench registry list --name support-bot --json")

    @OptionGroup var registry: RegistryOptions
    @Option(help: "Only versions of this model.") var name: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let versions = try registry.open().list(name: name)
        if json { return try printJSON(versions) }
        printTable(["MODEL", "STATUS", "ALIASES", "CREATED BY", "CREATED AT", "DECIDED BY", "REVIEW"], versions.map { version in
            [version.subject, version.status.rawValue, version.aliases.map(\.rawValue).joined(separator: ","),
             version.createdBy, version.createdAt, version.decidedBy ?? "-", version.reviewReason ?? "-"]
        })
    }
}

/// `quench registry show`: one version's record, lineage and alias history.
struct RegistryShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one version: files, lineage, metrics, decision, aliases.",
        discussion: "Example:\n  quench registry show support-bot@3")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: ArgumentHelp("The version.", valueName: "name@version")) var version: VersionReference
    @Flag(help: "Print JSON (includes the gate report).") var json = false

    func run() throws {
        let opened = try registry.open()
        let record = try opened.show(version)
        if json { return try printJSON(record) }
        print("\(record.subject)  \(record.status.rawValue)\(record.reviewReason.map { "  FLAGGED: \($0)" } ?? "")")
        print("created   \(record.createdAt) by \(record.createdBy)")
        if let decidedBy = record.decidedBy {
            print("decided   \(record.decidedAt ?? "") by \(decidedBy)\(record.decisionNote.map { ": \($0)" } ?? "")")
        }
        print("aliases   \(record.aliases.isEmpty ? "-" : record.aliases.map(\.rawValue).joined(separator: ", "))")
        print("directory \(record.artifactDirectory)")
        print("base      \(record.lineage.baseModel.source)\(record.lineage.baseModel.commit.map { " @ \($0)" } ?? "")")
        for dataset in record.lineage.datasets {
            print("dataset   \(dataset.path)  \(dataset.records) records  sha256 \(dataset.sha256)")
        }
        for (metric, value) in record.metrics.sorted(by: { $0.key < $1.key }) { print("metric    \(metric) = \(value)") }
        print("")
        printTable(["FILE", "SIZE", "SHA256"], record.files.map { [$0.path, String($0.size), $0.sha256] })
        let moves = try opened.aliasHistory(name: record.name)
        if !moves.isEmpty {
            print("")
            printTable(["ALIAS", "ACTION", "VERSION", "PREVIOUS", "BY", "AT"], moves.map {
                [$0.alias.rawValue, $0.action, String($0.version), $0.previousVersion.map { String($0) } ?? "-", $0.actor, $0.at]
            })
        }
    }
}

/// `quench registry verify`: re-hash a version's files and check its signature.
struct RegistryVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Re-hash a version's files and check its signature; non-zero exit if anything changed.",
        discussion: "Example:\n  quench registry verify support-bot@3")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: ArgumentHelp("The version.", valueName: "name@version")) var version: VersionReference
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let opened = try registry.open()
        let record = try opened.verify(version)
        if json { return try printJSON(["subject": record.subject, "verified": "true"]) }
        let how = opened is RemoteRegistry ? " by the server, and here against the pinned key" : ""
        print("\(record.subject): \(record.files.count) files and model.sig verified\(how)")
    }
}

/// `quench registry bom`: the CycloneDX 1.6 ML-BOM of a version.
struct RegistryBOM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bom", abstract: "Write the CycloneDX 1.6 ML-BOM (JSON) of a version.",
        discussion: "Example:\n  quench registry bom support-bot@3 --output support-bot-3.cdx.json")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: ArgumentHelp("The version.", valueName: "name@version")) var version: VersionReference
    @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?

    func run() throws {
        let bom = try registry.open().bom(version, quenchVersion: QuenchVersion.current)
        guard let output else { return try printJSON(bom) }
        try AtomicFile.writeJSON(bom, to: URL(fileURLWithPath: output))
        progress("wrote \(output)")
    }
}
