import Foundation
import PostgresNIO
import QuenchRegistry

/// The team store: the registry's tables in a PostgreSQL database that several servers may share.
///
/// Synchronous like the embedded store: each call waits for its queries on the calling thread, which
/// must be off the event loops (the server runs registry calls on a `NIOThreadPool`). A write holds an
/// EXCLUSIVE lock on audit_log for its whole transaction, so writers run one at a time and every rule the
/// registry checks still holds when the change and its audit entry commit; reads see a consistent snapshot
/// and are never blocked by it.
public final class PostgresRegistryStore: RegistryStore {
    /// The connections a store keeps by default: enough for a server's concurrent reads on a few cores.
    public static let defaultConnections = 4
    /// The longest wait for the database by default (one connection, one statement).
    public static let defaultStatementTimeout = Duration.seconds(60)

    /// The database, as errors and the server's start-up line name it.
    public let location: PostgresStoreLocation
    private let pool: PostgresConnectionPool

    /// Connects to `location` (with `password`, nil when the server needs none) and applies pending migrations.
    ///
    /// No wait for the database (connecting, a statement, a lock held elsewhere) lasts longer than
    /// `statementTimeout`: past it the call fails and its connection is closed, never lent out again.
    /// - Throws: `RegistryError.storeFailure` naming the database and the server's message, or the operation
    ///   and the timeout.
    public init(
        location: PostgresStoreLocation, password: String?, connections: Int = defaultConnections,
        statementTimeout: Duration = defaultStatementTimeout
    ) throws {
        guard statementTimeout > .zero else {
            throw RegistryError.storeFailure(
                operation: "open \(location)", reason: "the statement timeout must be positive, not \(statementTimeout)")
        }
        self.location = location
        let tls: PostgresConnection.Configuration.TLS
        switch location.tls {
        case .disable:
            tls = .disable
        case .require:
            var configuration = TLSConfiguration.makeClientConfiguration()
            if let authority = location.certificateAuthority { configuration.trustRoots = .file(authority) }
            do {
                tls = .require(try NIOSSLContext(configuration: configuration))
            } catch {
                throw RegistryError.storeFailure(operation: "set up TLS for \(location)", reason: "\(error)")
            }
        }
        var logger = Logger(label: "quench.registry.postgres")
        // Failures reach the caller as thrown errors; the driver's own log lines would only repeat them.
        logger.logLevel = .critical
        let deadline = PostgresDeadline(timeout: statementTimeout)
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = TimeAmount(statementTimeout)
        configuration.options.additionalStartupParameters = [("statement_timeout", deadline.serverStatementTimeout)]
        pool = PostgresConnectionPool(
            location: location, configuration: configuration, size: max(1, connections),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, deadline: deadline, logger: logger)
        try pool.withSession(PostgresSchema.migrate)
    }

    /// Opens the store a `--database` URL names, with the password from `passwordFile` or else
    /// `QUENCH_REGISTRY_DATABASE_PASSWORD` in `environment` (see `PostgresPassword`).
    /// - Throws: `PostgresStoreError` for the URL or the password file, `RegistryError.storeFailure` as `init`.
    public convenience init(
        url: String, passwordFile: URL?, environment: [String: String] = ProcessInfo.processInfo.environment,
        connections: Int = defaultConnections, statementTimeout: Duration = defaultStatementTimeout
    ) throws {
        try self.init(
            location: try PostgresStoreLocation(url: url),
            password: try PostgresPassword.resolve(file: passwordFile, environment: environment), connections: connections,
            statementTimeout: statementTimeout)
    }

    public func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        try pool.withSession { session in
            try session.transaction(["START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"], "read") {
                try body(PostgresAccess(session: session))
            }
        }
    }

    public func write<T>(_ body: (any RegistryStoreWriter) throws -> T) throws -> T {
        try pool.withSession { session in
            try session.transaction(["BEGIN", "LOCK TABLE audit_log IN EXCLUSIVE MODE"], "write") {
                try body(PostgresAccess(session: session))
            }
        }
    }

    /// Closes the connections (also done when the store is released).
    public func close() {
        pool.close()
    }
}
