import Foundation
import PostgresNIO
import QuenchRegistry

/// Reads and writes registry rows through one open PostgreSQL transaction, with the semantics of the
/// embedded store (SQLiteAccess): the same tables, orders and checks. Every value is a bound parameter.
struct PostgresAccess: RegistryStoreWriter {
    let session: PostgresSession

    /// A version row with the aliases it holds, in one query (the list read is the hot path of the server).
    private static let versionColumns = """
        SELECT v.*, ARRAY(SELECT a.alias FROM aliases a WHERE a.name = v.name AND a.version = v.version
                          ORDER BY a.alias COLLATE "C") AS held_aliases
        FROM model_versions v
        """

    func version(name: String, version: Int) throws -> ModelVersion? {
        try versions(
            "\(unescaped: Self.versionColumns) WHERE v.name = \(name) AND v.version = \(version)", "read \(name)@\(version)"
        ).first
    }

    func versions(name: String?) throws -> [ModelVersion] {
        guard let name else {
            return try versions("\(unescaped: Self.versionColumns) ORDER BY v.name COLLATE \"C\", v.version", "list versions")
        }
        return try versions("\(unescaped: Self.versionColumns) WHERE v.name = \(name) ORDER BY v.version", "list versions of \(name)")
    }

    func versions(withDatasetFingerprint fingerprint: String) throws -> [ModelVersion] {
        try versions("""
            \(unescaped: Self.versionColumns)
            WHERE EXISTS (SELECT 1 FROM version_datasets d WHERE d.name = v.name AND d.version = v.version AND d.fingerprint = \(fingerprint))
            ORDER BY v.name COLLATE "C", v.version
            """, "find versions trained on dataset \(fingerprint)")
    }

    func aliasHolder(name: String, alias: ModelAlias) throws -> Int? {
        try session.rows("SELECT version FROM aliases WHERE name = \(name) AND alias = \(alias.rawValue)", "read alias \(alias.rawValue) of \(name)")
            .first.map { try record($0, "aliases").integer("version") }
    }

    func aliasHistory(name: String) throws -> [AliasMove] {
        try session.rows("SELECT * FROM alias_history WHERE name = \(name) ORDER BY id", "read the alias history of \(name)")
            .map { try AliasMove(stored: record($0, "alias_history")) }
    }

    func auditEntries() throws -> [AuditEntry] {
        try session.rows("SELECT * FROM audit_log ORDER BY seq", "read the audit log")
            .map { try AuditEntry(stored: record($0, "audit_log")) }
    }

    func auditLeafHashes() throws -> [String] {
        try session.rows("SELECT leaf_hash FROM audit_log ORDER BY seq", "read the audit leaf hashes")
            .map { try record($0, "audit_log").text("leaf_hash") }
    }

    func nextVersionNumber(name: String) throws -> Int {
        try successor(
            of: "SELECT MAX(version) AS largest FROM model_versions WHERE name = \(name)", table: "model_versions", column: "version")
    }

    func insert(_ version: ModelVersion) throws {
        let json = try version.storedJSON()
        try session.run("""
            INSERT INTO model_versions (name, version, status, created_by, created_at, decided_by, decided_at, decision_note,
                artifact_directory, files, signature_sha256, lineage, metrics, gate_report, review_reason)
            VALUES (\(version.name), \(version.version), \(version.status.rawValue), \(version.createdBy), \(version.createdAt),
                \(version.decidedBy), \(version.decidedAt), \(version.decisionNote), \(version.artifactDirectory), \(json.files),
                \(version.signatureSHA256), \(json.lineage), \(json.metrics), \(version.gateReport), \(version.reviewReason))
            """, "register \(version.subject)")
        for fingerprint in version.storedDatasetFingerprints {
            try session.run("""
                INSERT INTO version_datasets (name, version, fingerprint) VALUES (\(version.name), \(version.version), \(fingerprint))
                """, "record the datasets of \(version.subject)")
        }
    }

    func updateState(of version: ModelVersion) throws {
        let changed = try session.run("""
            UPDATE model_versions SET status = \(version.status.rawValue), decided_by = \(version.decidedBy),
                decided_at = \(version.decidedAt), decision_note = \(version.decisionNote), review_reason = \(version.reviewReason)
            WHERE name = \(version.name) AND version = \(version.version)
            """, "update \(version.subject)")
        guard changed == 1 else { throw RegistryError.versionNotFound(version.subject) }
    }

    func record(_ move: AliasMove) throws {
        try session.run("""
            INSERT INTO aliases (name, alias, version) VALUES (\(move.name), \(move.alias.rawValue), \(move.version))
            ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version
            """, "move \(move.alias.rawValue) of \(move.name)")
        try session.run("""
            INSERT INTO alias_history (name, alias, version, previous_version, action, actor, at)
            VALUES (\(move.name), \(move.alias.rawValue), \(move.version), \(move.previousVersion), \(move.action), \(move.actor), \(move.at))
            """, "record the move of \(move.alias.rawValue) of \(move.name)")
    }

    func append(_ event: AuditEvent) throws -> TreeHead {
        let entry = event.entry(seq: try successor(of: "SELECT MAX(seq) AS largest FROM audit_log", table: "audit_log", column: "seq"))
        try session.run("""
            INSERT INTO audit_log (seq, at, actor, action, subject, body, leaf_hash)
            VALUES (\(entry.seq), \(entry.at), \(entry.actor), \(entry.action), \(entry.subject), \(entry.body), \(entry.leafHash))
            """, "append to the audit log")
        return try TreeHead(leafHashes: auditLeafHashes())
    }

    /// `row` of `table`, read by column name, naming this store in errors.
    func record(_ row: PostgresRow, _ table: String) -> PostgresRecordRow {
        PostgresRecordRow(row, table: table, store: session.store)
    }

    private func versions(_ query: PostgresQuery, _ operation: String) throws -> [ModelVersion] {
        try session.rows(query, operation).map { row in
            let columns = record(row, "model_versions")
            let held: [String] = try columns.value("held_aliases")
            return try ModelVersion(stored: columns, aliases: held.compactMap(ModelAlias.init(rawValue:)))
        }
    }

    /// One more than the `largest` value `query` returns (1 for none), refusing a maximum that has no successor.
    private func successor(of query: PostgresQuery, table: String, column: String) throws -> Int {
        let largest = try session.rows(query, "read the largest \(column) of \(table)").first
            .flatMap { try record($0, table).optionalInteger("largest") }
        let (next, overflow) = (largest ?? 0).addingReportingOverflow(1)
        guard !overflow else {
            throw RegistryError.storeCorrupt(
                path: session.store, table: table, column: column, reason: "it holds \(Int.max), which has no successor")
        }
        return next
    }
}
