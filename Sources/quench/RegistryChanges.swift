import ArgumentParser
import Foundation
import QuenchFiles
import QuenchRegistry
import QuenchSecurity

/// `quench registry register`: record a gated model as the next version of its name.
struct RegistryRegister: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Register a model that passed its quality gate (pending approval).",
        discussion: """
            The gate report is re-read and every file it names re-hashed; the artifacts must be the files it \
            evaluated as tuned_model/adapter. LINEAGE is JSON: {"base_model": {"source", "commit", "files": \
            [{"path", "sha256"}]}, "datasets": [{"path", "sha256", "records", "fingerprint"}], "job_spec_sha256", \
            "hyperparameters": {...}, "quench_version", "architecture"}.

            Example:
              quench registry register --name support-bot --artifacts runs/42/adapter --gate runs/42/gate.json --lineage runs/42/lineage.json
            """)

    @OptionGroup var registry: RegistryOptions
    @Option(help: "The model name.") var name: String
    @Option(help: ArgumentHelp("The directory of artifacts to register.", valueName: "dir")) var artifacts: String
    @Option(name: .customLong("file"), help: ArgumentHelp("Register only this file of the directory (repeatable).", valueName: "relative-path"))
    var files: [String] = []
    @Option(help: ArgumentHelp("The gate report (gate.json) that passed.", valueName: "file")) var gate: String
    @Option(help: ArgumentHelp("The lineage (JSON).", valueName: "file")) var lineage: String
    @Flag(help: "Print the new version as JSON.") var json = false

    func run() throws {
        let lineageURL = URL(fileURLWithPath: lineage)
        let decoded: Lineage
        do {
            decoded = try JSONFile.read(Lineage.self, from: lineageURL, limit: 16 << 20)
        } catch {
            throw ValidationError("cannot read the lineage \(lineage): \(error.reason)")
        }
        let version = try registry.open().register(RegistrationRequest(
            name: name, artifactDirectory: URL(fileURLWithPath: artifacts), artifactFiles: files.isEmpty ? nil : files,
            gateReport: URL(fileURLWithPath: gate), lineage: decoded))
        if json { return try printJSON(version) }
        print("registered \(version.subject) (\(version.files.count) files, signed), pending approval by someone other than \(version.createdBy)")
    }
}

/// `quench registry approve`.
struct RegistryApprove: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve", abstract: "Approve a pending version (approver role; not its creator).",
        discussion: "Example:\n  quench registry approve support-bot@3 --note \"eval reviewed\"")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: ArgumentHelp("The version.", valueName: "name@version")) var version: VersionReference
    @Option(help: "Why, recorded in the audit log.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let record = try registry.open().approve(version, note: note)
        if json { return try printJSON(record) }
        print("approved \(record.subject)")
    }
}

/// `quench registry reject`.
struct RegistryReject: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", abstract: "Reject a pending version (approver role; not its creator).",
        discussion: "Example:\n  quench registry reject support-bot@3 --note \"toxicity regressions\"")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: ArgumentHelp("The version.", valueName: "name@version")) var version: VersionReference
    @Option(help: "Why, recorded in the audit log.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let record = try registry.open().reject(version, note: note)
        if json { return try printJSON(record) }
        print("rejected \(record.subject)")
    }
}

/// `quench registry archive`.
struct RegistryArchive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive", abstract: "Archive an approved or rejected version that holds no alias (admin role).",
        discussion: "Example:\n  quench registry archive support-bot@1")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: ArgumentHelp("The version.", valueName: "name@version")) var version: VersionReference
    @Option(help: "Why, recorded in the audit log.") var note: String?
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let record = try registry.open().archive(version, note: note)
        if json { return try printJSON(record) }
        print("archived \(record.subject)")
    }
}

/// `quench registry promote`.
struct RegistryPromote: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote", abstract: "Point an alias at an approved version, after re-verifying its files and signature.",
        discussion: "Example:\n  quench registry promote support-bot@3 --to production")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: ArgumentHelp("The version.", valueName: "name@version")) var version: VersionReference
    @Option(help: "The alias: staging or production.") var to: ModelAlias
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let move = try registry.open().promote(version, to: to)
        if json { return try printJSON(move) }
        print("\(move.alias.rawValue) of \(move.name) -> \(move.version)\(move.previousVersion.map { " (was \($0))" } ?? "")")
    }
}

/// `quench registry rollback`.
struct RegistryRollback: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback", abstract: "Move an alias back to its previous holder, after re-verifying that version.",
        discussion: "Example:\n  quench registry rollback support-bot --alias production")

    @OptionGroup var registry: RegistryOptions
    @Argument(help: "The model name.") var name: String
    @Option(help: "The alias: staging or production.") var alias: ModelAlias
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let move = try registry.open().rollback(name: name, alias: alias)
        if json { return try printJSON(move) }
        print("\(move.alias.rawValue) of \(move.name) rolled back to \(move.version)")
    }
}
