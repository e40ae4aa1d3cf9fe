import Foundation
import GRDB
import Synchronization
import QuenchRegistry
import QuenchRegistryPostgres
import QuenchTestSupport
import Testing

/// The stores every registry store test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }
}

/// A fresh, empty store of one kind in a throwaway place (a temporary folder, a throwaway PostgreSQL
/// cluster), with SQL run behind its back for the tamper tests.
final class StoreUnderTest {
    let kind: StoreKind
    let store: any RegistryStore
    /// The temporary folder (SQLite's file, or the registry home next to the cluster).
    let folder: TemporaryDirectory
    let postgres: PostgresServer?

    /// Runs `body` with a fresh store of `kind` on a Dispatch thread, and removes the store after.
    ///
    /// The PostgreSQL store waits on futures, which a Swift concurrency thread (where tests run) must not;
    /// so the whole body runs off the pool, and the test checks what it returns there. A missing PostgreSQL
    /// install cancels the case, so it shows as skipped, never passed.
    static func with<T: Sendable>(_ kind: StoreKind, _ body: @escaping @Sendable (StoreUnderTest) throws -> T) async throws -> T {
        if kind == .postgres, let reason = PostgresServer.unavailableReason { try Test.cancel(Comment(rawValue: reason)) }
        return try await offThePool {
            let subject = try StoreUnderTest(kind)
            defer { subject.stop() }
            return try body(subject)
        }
    }

    private init(_ kind: StoreKind) throws {
        self.kind = kind
        folder = try TemporaryDirectory("store")
        switch kind {
        case .sqlite:
            postgres = nil
            store = try SQLiteRegistryStore(url: folder.url.appendingPathComponent("registry.sqlite"))
        case .postgres:
            let server = try PostgresServer()
            postgres = server
            do {
                store = try PostgresRegistryStore(url: server.url, passwordFile: server.passwordFile, environment: [:])
            } catch {
                server.stop()
                throw error
            }
        }
    }

    /// Runs `sql` on the store's database directly (as its owner in SQLite, as the superuser in PostgreSQL).
    /// - Throws: the database's error, whose text holds the server's or SQLite's message.
    func execute(_ sql: String) throws {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: folder.url.appendingPathComponent("registry.sqlite").path)
            defer { try? queue.close() }
            try queue.write { try $0.execute(sql: sql) }
        case .postgres:
            try postgres?.psql(sql)
        }
    }

    /// The message `execute(sql)` fails with, or nil when it succeeds.
    func refusal(of sql: String) -> String? {
        do {
            try execute(sql)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func stop() {
        (store as? PostgresRegistryStore)?.close()
        postgres?.stop()
    }
}

/// Runs `body` on a Dispatch thread and returns its result to the calling task: for synchronous code that
/// blocks (waits on a PostgreSQL future, joins threads), which must not hold a Swift concurrency thread.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}

/// What work on other threads failed with, collected for the test to check.
final class ThreadFailures: Sendable {
    let list = Mutex<[String]>([])
}
