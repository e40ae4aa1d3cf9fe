import Foundation
import PostgresNIO
import QuenchRegistry

/// One borrowed connection used synchronously: each query waits for its answer on the calling thread,
/// which must not be an event loop (the server calls the registry from a thread pool).
///
/// A failure the server reports (a constraint, a trigger) leaves the connection usable; any other
/// failure (the connection dropped, a protocol error, no answer before the deadline: the connection is then
/// closed) marks it broken, so the pool replaces it.
final class PostgresSession {
    let connection: PostgresConnection
    /// The store, as errors name it.
    let store: String
    private let deadline: PostgresDeadline
    private let logger: Logger
    /// Set when the connection can no longer be trusted to be in a known state.
    private(set) var isBroken = false
    /// Set when the connection was found closed before any statement was answered: nothing ran on it, so
    /// the pool may run the same work on another connection.
    private(set) var closedBeforeAnyAnswer = false
    /// Set once the server has answered a statement.
    private var answered = false

    init(connection: PostgresConnection, store: String, deadline: PostgresDeadline, logger: Logger) {
        self.connection = connection
        self.store = store
        self.deadline = deadline
        self.logger = logger
    }

    /// The rows `query` returns.
    /// - Throws: `RegistryError.storeFailure` naming `operation` and the server's message.
    func rows(_ query: PostgresQuery, _ operation: String) throws -> [PostgresRow] {
        try result(query, operation).rows
    }

    /// Runs a statement and returns how many rows it changed (0 when the server does not say).
    @discardableResult
    func run(_ query: PostgresQuery, _ operation: String) throws -> Int {
        try result(query, operation).metadata.rows ?? 0
    }

    /// Runs `body` in a transaction opened by the `opening` statements, committing when it returns and
    /// rolling back when it throws; a failed rollback marks the connection broken.
    func transaction<T>(_ opening: [PostgresQuery], _ operation: String, _ body: () throws -> T) throws -> T {
        do {
            for statement in opening { try run(statement, operation) }
            let value = try body()
            try run("COMMIT", operation)
            return value
        } catch {
            if !isBroken {
                do { try run("ROLLBACK", "roll back after a failed \(operation)") } catch { isBroken = true }
            }
            throw error
        }
    }

    private func result(_ query: PostgresQuery, _ operation: String) throws -> PostgresQueryResult {
        let connection = connection
        do {
            let result = try deadline.wait(
                for: connection.query(query, logger: logger), "\(operation) in \(store)",
                expire: { connection.close().whenComplete { _ in } })
            answered = true
            return result
        } catch let error as RegistryError {
            isBroken = true
            throw error
        } catch let error as PSQLError {
            if error.code != .server { isBroken = true }
            if !answered, [.clientClosedConnection, .serverClosedConnection].contains(error.code) { closedBeforeAnyAnswer = true }
            throw RegistryError.storeFailure(operation: "\(operation) in \(store)", reason: Self.describe(error))
        } catch {
            isBroken = true
            throw RegistryError.storeFailure(operation: "\(operation) in \(store)", reason: "\(error)")
        }
    }

    /// The server's message (with its detail and SQLSTATE), or what failed on the client's side.
    /// `PSQLError`'s own description is deliberately generic; this one holds no query text and no password.
    static func describe(_ error: PSQLError) -> String {
        guard let info = error.serverInfo, let message = info[.message] else {
            return "\(error.code)" + (error.underlying.map { ": \($0)" } ?? "")
        }
        var text = message
        if let detail = info[.detail] { text += " (\(detail))" }
        if let state = info[.sqlState] { text += " [SQLSTATE \(state)]" }
        return text
    }
}
