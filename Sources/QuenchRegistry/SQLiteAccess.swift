import Foundation
import GRDB

/// Reads and writes registry rows through one open SQLite transaction.
struct SQLiteAccess: RegistryStoreWriter {
    let db: Database
    /// The database file, named in errors about what it holds.
    let path: String

    func version(name: String, version: Int) throws -> ModelVersion? {
        try Row.fetchOne(db, sql: "SELECT * FROM model_versions WHERE name = ? AND version = ?", arguments: [name, version])
            .map(decode)
    }

    func versions(name: String?) throws -> [ModelVersion] {
        guard let name else {
            return try Row.fetchAll(db, sql: "SELECT * FROM model_versions ORDER BY name, version").map(decode)
        }
        return try Row.fetchAll(db, sql: "SELECT * FROM model_versions WHERE name = ? ORDER BY version", arguments: [name]).map(decode)
    }

    func versions(withDatasetFingerprint fingerprint: String) throws -> [ModelVersion] {
        try Row.fetchAll(db, sql: """
            SELECT DISTINCT v.* FROM model_versions v
            JOIN version_datasets d ON d.name = v.name AND d.version = v.version
            WHERE d.fingerprint = ? ORDER BY v.name, v.version
            """, arguments: [fingerprint]).map(decode)
    }

    func aliasHolder(name: String, alias: ModelAlias) throws -> Int? {
        try Int.fetchOne(db, sql: "SELECT version FROM aliases WHERE name = ? AND alias = ?", arguments: [name, alias.rawValue])
    }

    func aliasHistory(name: String) throws -> [AliasMove] {
        try Row.fetchAll(db, sql: "SELECT * FROM alias_history WHERE name = ? ORDER BY id", arguments: [name]).map { row in
            try AliasMove(stored: SQLiteRecordRow(row: row, table: "alias_history", path: path))
        }
    }

    func auditEntries() throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY rowid").map { row in
            try AuditEntry(stored: SQLiteRecordRow(row: row, table: "audit_log", path: path))
        }
    }

    func nextVersionNumber(name: String) throws -> Int {
        try successor(of: Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_versions WHERE name = ?", arguments: [name]),
                      table: "model_versions", column: "version")
    }

    func insert(_ version: ModelVersion) throws {
        let json = try version.storedJSON()
        try db.execute(sql: """
            INSERT INTO model_versions (name, version, status, created_by, created_at, decided_by, decided_at, decision_note,
                artifact_directory, files, signature_sha256, lineage, metrics, gate_report, review_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                version.name, version.version, version.status.rawValue, version.createdBy, version.createdAt,
                version.decidedBy, version.decidedAt, version.decisionNote, version.artifactDirectory,
                json.files, version.signatureSHA256, json.lineage, json.metrics, version.gateReport, version.reviewReason,
            ])
        for fingerprint in version.storedDatasetFingerprints {
            try db.execute(
                sql: "INSERT INTO version_datasets (name, version, fingerprint) VALUES (?, ?, ?)",
                arguments: [version.name, version.version, fingerprint])
        }
    }

    func updateState(of version: ModelVersion) throws {
        try db.execute(sql: """
            UPDATE model_versions SET status = ?, decided_by = ?, decided_at = ?, decision_note = ?, review_reason = ?
            WHERE name = ? AND version = ?
            """, arguments: [
                version.status.rawValue, version.decidedBy, version.decidedAt, version.decisionNote, version.reviewReason,
                version.name, version.version,
            ])
        guard db.changesCount == 1 else { throw RegistryError.versionNotFound(version.subject) }
    }

    func record(_ move: AliasMove) throws {
        try db.execute(sql: """
            INSERT INTO aliases (name, alias, version) VALUES (?, ?, ?)
            ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version
            """, arguments: [move.name, move.alias.rawValue, move.version])
        try db.execute(sql: """
            INSERT INTO alias_history (name, alias, version, previous_version, action, actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [move.name, move.alias.rawValue, move.version, move.previousVersion, move.action, move.actor, move.at])
    }

    func append(_ event: AuditEvent) throws -> TreeHead {
        let seq = try successor(of: Int.fetchOne(db, sql: "SELECT MAX(seq) FROM audit_log"), table: "audit_log", column: "seq")
        let entry = event.entry(seq: seq)
        try db.execute(sql: """
            INSERT INTO audit_log (seq, at, actor, action, subject, body, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.body, entry.leafHash])
        return try TreeHead(leafHashes: auditLeafHashes())
    }

    /// The version a `model_versions` row holds, with the aliases it holds now.
    private func decode(_ row: Row) throws -> ModelVersion {
        let record = SQLiteRecordRow(row: row, table: "model_versions", path: path)
        let aliasNames = try String.fetchAll(
            db, sql: "SELECT alias FROM aliases WHERE name = ? AND version = ? ORDER BY alias",
            arguments: [try record.text("name"), try record.integer("version")])
        return try ModelVersion(stored: record, aliases: aliasNames.compactMap(ModelAlias.init(rawValue:)))
    }

    /// The number after the largest stored one (1 for none), refusing a stored maximum that has no successor.
    private func successor(of largest: Int?, table: String, column: String) throws -> Int {
        let (next, overflow) = (largest ?? 0).addingReportingOverflow(1)
        guard !overflow else {
            throw RegistryError.storeCorrupt(path: path, table: table, column: column, reason: "it holds \(Int.max), which has no successor")
        }
        return next
    }
}
