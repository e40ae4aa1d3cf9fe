import ArgumentParser
import Foundation
import QuenchFiles
import QuenchRegistry
import QuenchRegistryServer

/// `quench registry users`: the server's API users, managed on the server host against its home.
struct RegistryUsers: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users", abstract: "Add, list and revoke the API users of a registry server (run on the server host).",
        discussion: """
            Each user gets a random bearer token, printed once; the server keeps only its SHA-256. Every change \
            is recorded in the audit log as done by the OS user running the command.

            Example:
              quench registry users add ci-trainer --role trainer --home /srv/quench
              quench registry users list --home /srv/quench
              quench registry users revoke ci-trainer --home /srv/quench
            """,
        subcommands: [RegistryUsersAdd.self, RegistryUsersList.self, RegistryUsersRevoke.self])
}

/// `--home`, `--database` and `--database-password-file` of the server commands.
struct RegistryServerHomeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The server's home (default: $QUENCH_HOME or ~/.local/share/quench).", valueName: "dir"))
    var home: String?
    @Option(help: ArgumentHelp(
        "The team database, postgres://USER@HOST[:PORT]/DB[?tls=require|disable][&tls_ca=CA.pem] (default: SQLite in the home); "
            + "never a password in it (TLS required off loopback).", valueName: "url"))
    var database: String?
    @Option(name: .customLong("database-password-file"), help: ArgumentHelp(
        "A 0600 file holding the database password (else $QUENCH_REGISTRY_DATABASE_PASSWORD).", valueName: "file"))
    var databasePasswordFile: String?

    /// The home folder.
    var homeURL: URL {
        home.map { URL(fileURLWithPath: $0) } ?? QuenchHome.resolve().root
    }

    /// The store these options name, and its kind ("sqlite" or "postgres").
    func openStore() throws -> (store: any RegistryStore, kind: String) {
        try RegistryServerStore.open(home: homeURL, databaseURL: database, passwordFile: databasePasswordFile.map(URL.init(fileURLWithPath:)))
    }

    /// The registry of the server's home, opened as the server opens it.
    func open() throws -> Registry {
        try Registry.openServer(home: homeURL, store: try openStore().store)
    }
}

extension RegistryRole: ExpressibleByArgument {}

/// `quench registry users add`.
struct RegistryUsersAdd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add an API user with its roles; prints its token once, on the last line.",
        discussion: "Example:\n  quench registry users add alice --role approver --home /srv/quench")

    @OptionGroup var server: RegistryServerHomeOptions
    @Argument(help: "The user's name.") var name: String
    @Option(name: .customLong("role"), help: ArgumentHelp("A role: trainer, approver or admin (repeatable).", valueName: "role"))
    var roles: [RegistryRole]

    func run() throws {
        let registry = try server.open()
        let (user, token) = try registry.addUser(name: name, roles: roles, by: try RegistryIdentity.serverAdministrator())
        print("added \(user.name) (\(user.roles.map(\.rawValue).joined(separator: ", "))); its bearer token, shown only now:")
        print(token)
    }
}

/// `quench registry users list`.
struct RegistryUsersList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the API users (never their tokens).")

    @OptionGroup var server: RegistryServerHomeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let users = try server.open().users()
        if json { return try printJSON(users) }
        printTable(["NAME", "ROLES", "CREATED", "BY", "REVOKED"], users.map {
            [$0.name, $0.roles.map(\.rawValue).joined(separator: ","), $0.createdAt, $0.createdBy, $0.revokedAt ?? "-"]
        })
    }
}

/// `quench registry users revoke`.
struct RegistryUsersRevoke: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke a user's token; its requests are refused from now on.")

    @OptionGroup var server: RegistryServerHomeOptions
    @Argument(help: "The user's name.") var name: String

    func run() throws {
        let user = try server.open().revokeUser(name: name, by: try RegistryIdentity.serverAdministrator())
        print("revoked \(user.name) at \(user.revokedAt ?? "now")")
    }
}
