import Foundation
import Testing

/// A throwaway PostgreSQL cluster (Debian's `postgresql`) for one test: initdb in a temporary folder,
/// listening on a free port of 127.0.0.1 with password (SCRAM) logins, its Unix socket inside the folder,
/// and a database owned by a password-protected, non-superuser role for the store. Always `stop()` it
/// (defer); it is also stopped when released.
///
/// PostgreSQL refuses to run as root, so as root (CI) the cluster belongs to and runs as the `postgres`
/// OS user (through setpriv, which execs it, so the process this test holds is the server itself);
/// otherwise as the current user. The server runs in the foreground, as nginx does in `NginxServer`:
/// pg_ctl's background server would keep the output pipe of the command that started it open.
public final class PostgresServer {
    /// The folder holding the data directory, the socket, the log and the password file.
    public let folder: URL
    /// The TCP port on 127.0.0.1.
    public let port: Int
    /// The role the store logs in as (owner of `database`, not a superuser).
    public let user = "quench_registry"
    /// The database created for the store.
    public let database = "registry"
    /// The role's password (random for each cluster).
    public let password: String
    /// A 0600 file of the current user holding `password`, for `--database-password-file`.
    public let passwordFile: URL
    private let bin: URL
    private let process = Process()

    /// The store's URL: `postgres://quench_registry@127.0.0.1:PORT/registry` (no password).
    public var url: String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// The newest installed server's bin folder (/usr/lib/postgresql/N/bin), if any.
    public static var binDirectory: URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return versions.compactMap(Int.init).sorted().reversed()
            .map { root.appendingPathComponent("\($0)/bin") }
            .first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("initdb").path) }
    }

    /// Why no cluster can be started here, or nil when one can.
    public static var unavailableReason: String? {
        guard let bin = binDirectory else {
            return "PostgreSQL is not installed (no /usr/lib/postgresql/N/bin/initdb); make setup installs Debian's postgresql"
        }
        let missing = ["initdb", "postgres", "psql"].map { bin.appendingPathComponent($0).path }
            .filter { !FileManager.default.isExecutableFile(atPath: $0) }
        if !missing.isEmpty { return "not installed: \(missing.joined(separator: ", ")) (make setup installs postgresql)" }
        if geteuid() == 0 && (getpwnam("postgres") == nil || !FileManager.default.isExecutableFile(atPath: setpriv)) {
            return "running as root needs the postgres OS user and \(setpriv) to start PostgreSQL (make setup installs postgresql)"
        }
        return nil
    }

    private static let setpriv = "/usr/bin/setpriv"

    /// Creates and starts the cluster, the role and the database; with `certificates`, the server also
    /// accepts TLS with their certificate (for 127.0.0.1, signed by their CA).
    /// - Throws: `TestSetupError` with the command's output or the server's log.
    public init(certificates: TestCertificates? = nil) throws {
        if let reason = Self.unavailableReason { throw TestSetupError.command(reason) }
        bin = try #require(Self.binDirectory)
        folder = try TemporaryDirectory.create("pg")
        port = try LoopbackPort.free()
        password = (0..<4).map { _ in String(UInt64.random(in: .min ... .max), radix: 16) }.joined()
        passwordFile = folder.appendingPathComponent("password")
        do {
            try start(certificates: certificates)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    /// Runs `sql` (statements separated by semicolons) as the superuser through the Unix socket, in
    /// `database` (default: the store's); returns psql's unaligned, tuples-only output. Statements run one
    /// by one outside a transaction, and the first failure stops it with the server's message.
    /// - Throws: `ProcessFailure` with psql's output.
    @discardableResult
    public func psql(_ sql: String, database: String? = nil) throws -> String {
        let script = folder.appendingPathComponent("script-\(UUID().uuidString.prefix(8)).sql")
        try Data(sql.utf8).write(to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: script.path)
        return try ProcessRunner.run(bin.appendingPathComponent("psql"), [
            "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder.path, "-p", "\(port)", "-U", "postgres",
            "-d", database ?? self.database, "-f", script.path,
        ]).checked("psql").standardOutput
    }

    /// Stops the cluster at once (SIGQUIT: immediate shutdown), waits for it and removes its folder.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGQUIT)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    private var dataDirectory: URL { folder.appendingPathComponent("data") }

    private func start(certificates: TestCertificates?) throws {
        try Data((password + "\n").utf8).write(to: passwordFile)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile.path)
        try giveToOwner(folder)
        var tlsSettings = ""
        if let certificates {
            let certificate = folder.appendingPathComponent("server.crt"), key = folder.appendingPathComponent("server.key")
            try FileManager.default.copyItem(at: certificates.certificate, to: certificate)
            try FileManager.default.copyItem(at: certificates.key, to: key)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
            try giveToOwner(certificate)
            try giveToOwner(key)
            tlsSettings = "\nssl = on\nssl_cert_file = '\(certificate.path)'\nssl_key_file = '\(key.path)'"
        }
        _ = try runAsOwner("initdb", [
            "-D", dataDirectory.path, "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
            "--no-sync", "-E", "UTF8", "--locale=C", "--no-instructions",
        ]).checked("initdb")
        let settings = """

            port = \(port)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(folder.path)'
            max_connections = 60
            fsync = off
            synchronous_commit = off
            full_page_writes = off\(tlsSettings)
            """
        let handle = try FileHandle(forWritingTo: dataDirectory.appendingPathComponent("postgresql.conf"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(settings.utf8))
        try handle.close()
        let log = folder.appendingPathComponent("postgres.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let (program, arguments) = Self.asOwner(bin.appendingPathComponent("postgres").path, ["-D", dataDirectory.path])
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        let socket = folder.appendingPathComponent(".s.PGSQL.\(port)").path
        let port = self.port
        let ready = Polling.waitUntil(seconds: 30) {
            LoopbackPort.isListening(port) && FileManager.default.fileExists(atPath: socket) || !process.isRunning
        }
        guard ready && process.isRunning else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestSetupError.timeout("PostgreSQL did not start on port \(port) within 30 s: \(text.suffix(800))")
        }
        try psql("""
            CREATE ROLE \(user) LOGIN PASSWORD '\(password)';
            CREATE DATABASE \(database) OWNER \(user);
            """, database: "postgres")
    }

    /// Makes `url` the cluster owner's when this process is root (the postgres OS user runs the server).
    private func giveToOwner(_ url: URL) throws {
        guard geteuid() == 0, let owner = getpwnam("postgres") else { return }
        guard chown(url.path, owner.pointee.pw_uid, owner.pointee.pw_gid) == 0 else {
            throw TestSetupError.command("cannot give \(url.path) to the postgres user: errno \(errno)")
        }
    }

    /// Runs a server program to its end as the cluster's owner.
    private func runAsOwner(_ program: String, _ arguments: [String]) throws -> ProcessResult {
        let (path, arguments) = Self.asOwner(bin.appendingPathComponent(program).path, arguments)
        return try ProcessRunner.run(path, arguments)
    }

    /// The command running `program` as the cluster's owner: the postgres OS user when this process is root.
    private static func asOwner(_ program: String, _ arguments: [String]) -> (String, [String]) {
        guard geteuid() == 0 else { return (program, arguments) }
        return (setpriv, ["--reuid", "postgres", "--regid", "postgres", "--init-groups", "--", program] + arguments)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when a throwaway PostgreSQL cluster can be started here; otherwise the report
    /// shows it skipped with the reason (`PostgresServer.unavailableReason`), never passed.
    public static var requiresPostgreSQL: Self {
        .enabled(if: PostgresServer.unavailableReason == nil, Comment(rawValue: PostgresServer.unavailableReason ?? ""))
    }
}
