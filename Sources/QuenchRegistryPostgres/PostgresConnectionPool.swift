import Foundation
import PostgresNIO
import QuenchRegistry
import Synchronization

/// A fixed number of connections to one database, opened when first needed and handed to one caller at a
/// time, so concurrent server threads do not serialize their reads. A caller waits while all are in use;
/// a connection that broke is closed and the next caller opens a new one. Every wait for the database
/// (opening, each statement, closing) is bounded by the store's deadline.
final class PostgresConnectionPool: Sendable {
    private struct State {
        var idle: [PostgresConnection] = []
        var nextID = 1
        /// Set by `close()`: connections coming back are closed instead of kept.
        var isClosed = false
    }

    private let location: PostgresStoreLocation
    private let configuration: PostgresConnection.Configuration
    private let eventLoopGroup: any EventLoopGroup
    private let deadline: PostgresDeadline
    private let logger: Logger
    /// Counts the connections not lent out (idle or not yet opened).
    private let available: DispatchSemaphore
    private let state = Mutex(State())

    init(location: PostgresStoreLocation, configuration: PostgresConnection.Configuration, size: Int,
         eventLoopGroup: any EventLoopGroup, deadline: PostgresDeadline, logger: Logger) {
        self.location = location
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.deadline = deadline
        self.logger = logger
        available = DispatchSemaphore(value: size)
    }

    deinit {
        for connection in state.withLock({ $0.idle }) { connection.close().whenComplete { _ in } }
    }

    /// Lends a connection to `body` and takes it back afterwards (closing it if it broke).
    /// - Throws: `RegistryError.storeFailure` when called on an event-loop thread (waiting there would
    ///   deadlock) or when no connection can be opened; whatever `body` throws.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        guard MultiThreadedEventLoopGroup.currentEventLoop == nil else {
            throw RegistryError.storeFailure(
                operation: "use \(location)", reason: "called on an event-loop thread; run registry calls on a thread pool")
        }
        available.wait()
        defer { available.signal() }
        var retried = false
        while true {
            let (connection, reused) = try connection()
            let session = PostgresSession(connection: connection, store: location.description, deadline: deadline, logger: logger)
            defer { giveBack(session) }
            do {
                return try body(session)
            } catch where reused && !retried && session.closedBeforeAnyAnswer {
                // An idle connection the server dropped (restart, idle timeout, pg_terminate_backend) that
                // was not yet seen as closed when lent: nothing ran on it, so the work goes to a new one, once.
                retried = true
            }
        }
    }

    /// Closes the idle connections; connections lent out are closed when they come back.
    func close() {
        let idle = state.withLock { state in
            defer { state.idle = [] }
            state.isClosed = true
            return state.idle
        }
        for connection in idle {
            _ = try? deadline.wait(for: connection.close(), "close a connection to \(location)")
        }
    }

    /// An idle connection (`reused`) or a new one.
    private func connection() throws -> (connection: PostgresConnection, reused: Bool) {
        while let idle = state.withLock({ $0.idle.popLast() }) {
            if !idle.isClosed { return (idle, true) }
        }
        let id = state.withLock { state in defer { state.nextID += 1 }; return state.nextID }
        do {
            return (try deadline.wait(
                for: PostgresConnection.connect(on: eventLoopGroup.next(), configuration: configuration, id: id, logger: logger),
                "connect to \(location)", discardLate: { connection in connection.close().whenComplete { _ in } }), false)
        } catch let error as RegistryError {
            throw error
        } catch let error as PSQLError {
            throw RegistryError.storeFailure(operation: "connect to \(location)", reason: PostgresSession.describe(error))
        } catch {
            throw RegistryError.storeFailure(operation: "connect to \(location)", reason: "\(error)")
        }
    }

    private func giveBack(_ session: PostgresSession) {
        let kept = !session.isBroken && !session.connection.isClosed && state.withLock { state in
            guard !state.isClosed else { return false }
            state.idle.append(session.connection)
            return true
        }
        if !kept { session.connection.close().whenComplete { _ in } }
    }
}
