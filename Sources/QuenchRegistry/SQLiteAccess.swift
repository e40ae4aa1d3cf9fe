import Foundation
import GRDB
import QuenchFiles

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
            let column = Columns(row: row, table: "alias_history", path: path)
            let aliasName: String = try column("alias")
            guard let alias = ModelAlias(rawValue: aliasName) else {
                throw RegistryError.storeFailure(operation: "read alias history", reason: "unknown alias '\(aliasName)'")
            }
            return AliasMove(
                name: try column("name"), alias: alias, version: try column("version"),
                previousVersion: try column("previous_version"), action: try column("action"), actor: try column("actor"),
                at: try column("at"))
        }
    }

    func auditEntries() throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY rowid").map { row in
            let column = Columns(row: row, table: "audit_log", path: path)
            return AuditEntry(
                seq: try column("seq"), at: try column("at"), actor: try column("actor"), action: try column("action"),
                subject: try column("subject"), body: try column("body"), leafHash: try column("leaf_hash"))
        }
    }

    func nextVersionNumber(name: String) throws -> Int {
        try successor(of: Int.fetchOne(db, sql: "SELECT MAX(version) FROM model_versions WHERE name = ?", arguments: [name]),
                      table: "model_versions", column: "version")
    }

    func insert(_ version: ModelVersion) throws {
        try db.execute(sql: """
            INSERT INTO model_versions (name, version, status, created_by, created_at, decided_by, decided_at, decision_note,
                artifact_directory, files, signature_sha256, lineage, metrics, gate_report, review_reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                version.name, version.version, version.status.rawValue, version.createdBy, version.createdAt,
                version.decidedBy, version.decidedAt, version.decisionNote, version.artifactDirectory,
                try Self.json(version.files), version.signatureSHA256, try Self.json(version.lineage),
                try Self.json(version.metrics), version.gateReport, version.reviewReason,
            ])
        for fingerprint in Set(version.lineage.datasets.compactMap(\.fingerprint)) {
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
        let at = Timestamp.string()
        let body = event.body.canonical
        let leaf = MerkleTree.leafHash(AuditEntry.leafData(
            seq: seq, at: at, actor: event.actor, action: event.action.rawValue, subject: event.subject, body: body))
        try db.execute(sql: """
            INSERT INTO audit_log (seq, at, actor, action, subject, body, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [seq, at, event.actor, event.action.rawValue, event.subject, body, leaf.hex])
        var tree = MerkleTree()
        for hex in try String.fetchAll(db, sql: "SELECT leaf_hash FROM audit_log ORDER BY seq") {
            guard let bytes = Data(hex: hex) else {
                throw RegistryError.storeFailure(operation: "append to the audit log", reason: "a stored leaf hash is not hex; run `quench audit verify`")
            }
            tree.append(leafHash: bytes)
        }
        return TreeHead(size: tree.size, root: tree.root.hex)
    }

    private func decode(_ row: Row) throws -> ModelVersion {
        let column = Columns(row: row, table: "model_versions", path: path)
        let name: String = try column("name")
        let number: Int = try column("version")
        let statusText: String = try column("status")
        guard let status = VersionStatus(rawValue: statusText) else {
            throw RegistryError.storeFailure(operation: "read \(name)@\(number)", reason: "unknown status '\(statusText)'")
        }
        let aliasNames = try String.fetchAll(
            db, sql: "SELECT alias FROM aliases WHERE name = ? AND version = ? ORDER BY alias", arguments: [name, number])
        return ModelVersion(
            name: name, version: number, status: status, createdBy: try column("created_by"),
            createdAt: try column("created_at"), decidedBy: try column("decided_by"), decidedAt: try column("decided_at"),
            decisionNote: try column("decision_note"), artifactDirectory: try column("artifact_directory"),
            files: try Self.value(try column("files"), name), signatureSHA256: try column("signature_sha256"),
            lineage: try Self.value(try column("lineage"), name), metrics: try Self.value(try column("metrics"), name),
            gateReport: try column("gate_report"), reviewReason: try column("review_reason"),
            aliases: aliasNames.compactMap(ModelAlias.init(rawValue:)))
    }

    /// The number after the largest stored one (1 for none), refusing a stored maximum that has no successor.
    private func successor(of largest: Int?, table: String, column: String) throws -> Int {
        let (next, overflow) = (largest ?? 0).addingReportingOverflow(1)
        guard !overflow else {
            throw RegistryError.storeCorrupt(path: path, table: table, column: column, reason: "it holds \(Int.max), which has no successor")
        }
        return next
    }

    /// One row's columns, read by name with the table and database named in any error.
    private struct Columns {
        let row: Row
        let table: String
        let path: String

        func callAsFunction<Value: DatabaseValueConvertible>(_ column: String) throws -> Value {
            try row.stored(column, of: table, in: path)
        }
    }

    private static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONCoding.lineEncoder.encode(value), as: UTF8.self)
    }

    private static func value<T: Decodable>(_ text: String, _ subject: String) throws -> T {
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw RegistryError.storeFailure(operation: "read \(subject)", reason: "a stored \(T.self) is not valid JSON: \(error)")
        }
    }
}
