import Foundation
import GRDB

/// The embedded store: one SQLite file in WAL mode, shared safely by concurrent processes.
public final class SQLiteRegistryStore: RegistryStore {
    private let pool: DatabasePool
    public let url: URL

    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    public init(url: URL) throws {
        self.url = url
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            pool = try DatabasePool(path: url.path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.storeFailure(operation: "open \(url.path)", reason: "\(error)")
        }
    }

    public func read<T>(_ body: (any RegistryStoreReader) throws -> T) throws -> T {
        try translating("read") { try pool.read { db in try body(SQLiteAccess(db: db, path: url.path)) } }
    }

    public func write<T>(_ body: (any RegistryStoreWriter) throws -> T) throws -> T {
        try translating("write") {
            try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(SQLiteAccess(db: db, path: url.path))
                    return .commit
                }
                guard let result else { throw RegistryError.storeFailure(operation: "write", reason: "the transaction produced no result") }
                return result
            }
        }
    }

    private func translating<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.storeFailure(operation: operation, reason: "\(error)")
        }
    }

    /// Versioned schema changes; each runs once, in order, in its own transaction.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-versions-aliases-audit") { db in
            try db.execute(sql: """
                CREATE TABLE model_versions (
                    name TEXT NOT NULL,
                    version INTEGER NOT NULL CHECK (version > 0),
                    status TEXT NOT NULL CHECK (status IN ('pending_approval', 'approved', 'rejected', 'archived')),
                    created_by TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    decided_by TEXT,
                    decided_at TEXT,
                    decision_note TEXT,
                    artifact_directory TEXT NOT NULL,
                    files TEXT NOT NULL,
                    signature_sha256 TEXT NOT NULL,
                    lineage TEXT NOT NULL,
                    metrics TEXT NOT NULL,
                    gate_report TEXT NOT NULL,
                    review_reason TEXT,
                    PRIMARY KEY (name, version)
                );
                CREATE TABLE version_datasets (
                    name TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL,
                    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
                );
                CREATE INDEX version_datasets_fingerprint ON version_datasets (fingerprint);
                CREATE TABLE aliases (
                    name TEXT NOT NULL,
                    alias TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    PRIMARY KEY (name, alias),
                    FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
                );
                CREATE TABLE alias_history (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    name TEXT NOT NULL,
                    alias TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    previous_version INTEGER,
                    action TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE TABLE audit_log (
                    seq INTEGER PRIMARY KEY,
                    at TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    leaf_hash TEXT NOT NULL
                );
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END;
                CREATE TRIGGER alias_history_no_update BEFORE UPDATE ON alias_history
                BEGIN SELECT RAISE(ABORT, 'alias_history is append-only: UPDATE refused'); END;
                CREATE TRIGGER alias_history_no_delete BEFORE DELETE ON alias_history
                BEGIN SELECT RAISE(ABORT, 'alias_history is append-only: DELETE refused'); END;
                """)
        }
        migrator.registerMigration("v2-api-users") { db in
            try db.execute(sql: """
                CREATE TABLE api_users (
                    name TEXT PRIMARY KEY,
                    roles TEXT NOT NULL,
                    token_sha256 TEXT NOT NULL UNIQUE,
                    created_at TEXT NOT NULL,
                    created_by TEXT NOT NULL,
                    revoked_at TEXT
                );
                """)
        }
        return migrator
    }
}
