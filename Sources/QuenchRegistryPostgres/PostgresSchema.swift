import PostgresNIO
import QuenchRegistry

/// The registry's tables in PostgreSQL: the embedded store's schema (same migration names, tables and
/// columns), with the append-only rules as triggers that also refuse TRUNCATE.
///
/// Migrations run at open, in order, each in its own transaction that first takes an advisory lock, so
/// servers starting together apply each migration once. A database holding a migration this version does
/// not know (written by a newer Quench) is refused rather than used half-understood.
enum PostgresSchema {
    /// A named schema change: statements run in order in one transaction.
    struct Migration {
        let name: String
        let statements: [PostgresQuery]
    }

    /// Every migration, oldest first; names match the SQLite store's.
    static let migrations = [
        Migration(name: "v1-versions-aliases-audit", statements: [
            """
            CREATE TABLE model_versions (
                name TEXT NOT NULL,
                version BIGINT NOT NULL CHECK (version > 0),
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
            )
            """,
            """
            CREATE TABLE version_datasets (
                name TEXT NOT NULL,
                version BIGINT NOT NULL,
                fingerprint TEXT NOT NULL,
                FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
            )
            """,
            "CREATE INDEX version_datasets_fingerprint ON version_datasets (fingerprint)",
            """
            CREATE TABLE aliases (
                name TEXT NOT NULL,
                alias TEXT NOT NULL,
                version BIGINT NOT NULL,
                PRIMARY KEY (name, alias),
                FOREIGN KEY (name, version) REFERENCES model_versions (name, version)
            )
            """,
            """
            CREATE TABLE alias_history (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name TEXT NOT NULL,
                alias TEXT NOT NULL,
                version BIGINT NOT NULL,
                previous_version BIGINT,
                action TEXT NOT NULL,
                actor TEXT NOT NULL,
                at TEXT NOT NULL
            )
            """,
            "CREATE INDEX alias_history_name ON alias_history (name, id)",
            """
            CREATE TABLE audit_log (
                seq BIGINT PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject TEXT NOT NULL,
                body TEXT NOT NULL,
                leaf_hash TEXT NOT NULL
            )
            """,
            """
            CREATE FUNCTION quench_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
            END
            $$
            """,
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION quench_refuse_change()",
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION quench_refuse_change()",
            "CREATE TRIGGER alias_history_append_only BEFORE UPDATE OR DELETE ON alias_history FOR EACH ROW EXECUTE FUNCTION quench_refuse_change()",
            "CREATE TRIGGER alias_history_no_truncate BEFORE TRUNCATE ON alias_history FOR EACH STATEMENT EXECUTE FUNCTION quench_refuse_change()",
        ]),
        Migration(name: "v2-api-users", statements: [
            """
            CREATE TABLE api_users (
                name TEXT PRIMARY KEY,
                roles TEXT NOT NULL,
                token_sha256 TEXT NOT NULL UNIQUE,
                created_at TEXT NOT NULL,
                created_by TEXT NOT NULL,
                revoked_at TEXT
            )
            """,
        ]),
    ]

    /// The advisory lock key serializing migrations (any constant unlikely to clash: "QUENCH" in ASCII).
    static let migrationLock = 0x5155_454E_4348

    /// Applies the migrations `session`'s database lacks.
    /// - Throws: `RegistryError.storeFailure` for a failed statement or a migration this version does not know.
    static func migrate(_ session: PostgresSession) throws {
        for migration in migrations {
            try session.transaction(["BEGIN"], "apply migration \(migration.name)") {
                try session.run("SELECT pg_advisory_xact_lock(\(migrationLock))", "lock the schema")
                try session.run("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, "create schema_migrations")
                let applied = try session.rows("SELECT name FROM schema_migrations", "read schema_migrations")
                    .map { try PostgresRecordRow($0, table: "schema_migrations", store: session.store).text("name") }
                let unknown = Set(applied).subtracting(migrations.map(\.name))
                guard unknown.isEmpty else {
                    throw RegistryError.storeFailure(
                        operation: "open \(session.store)",
                        reason: "the database has migrations this version of Quench does not know (\(unknown.sorted().joined(separator: ", "))); "
                            + "it was written by a newer Quench: upgrade")
                }
                guard !applied.contains(migration.name) else { return }
                for statement in migration.statements { try session.run(statement, "apply migration \(migration.name)") }
                try session.run("INSERT INTO schema_migrations (name) VALUES (\(migration.name))", "record migration \(migration.name)")
            }
        }
    }
}
