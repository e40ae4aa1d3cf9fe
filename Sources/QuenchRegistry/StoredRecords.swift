import Foundation
import QuenchFiles

/// One row of a registry table read by column name, so a store outside this module (PostgreSQL) builds
/// the registry's records with the same rules as the embedded one.
///
/// Each read throws `RegistryError.storeCorrupt` naming the store, table and column when the column is
/// missing or holds another type (or NULL where a value is required).
public protocol StoredRecordRow {
    func text(_ column: String) throws -> String
    func optionalText(_ column: String) throws -> String?
    func integer(_ column: String) throws -> Int
    func optionalInteger(_ column: String) throws -> Int?
}

extension ModelVersion {
    /// A version from its `model_versions` row and the aliases it holds now.
    public init(stored row: some StoredRecordRow, aliases: [ModelAlias]) throws {
        let name = try row.text("name")
        let number = try row.integer("version")
        let statusText = try row.text("status")
        guard let status = VersionStatus(rawValue: statusText) else {
            throw RegistryError.storeFailure(operation: "read \(name)@\(number)", reason: "unknown status '\(statusText)'")
        }
        let subject = "\(name)@\(number)"
        self.init(
            name: name, version: number, status: status, createdBy: try row.text("created_by"),
            createdAt: try row.text("created_at"), decidedBy: try row.optionalText("decided_by"),
            decidedAt: try row.optionalText("decided_at"), decisionNote: try row.optionalText("decision_note"),
            artifactDirectory: try row.text("artifact_directory"),
            files: try Self.storedValue(try row.text("files"), subject), signatureSHA256: try row.text("signature_sha256"),
            lineage: try Self.storedValue(try row.text("lineage"), subject),
            metrics: try Self.storedValue(try row.text("metrics"), subject), gateReport: try row.text("gate_report"),
            reviewReason: try row.optionalText("review_reason"), aliases: aliases)
    }

    /// The JSON text of the `files`, `lineage` and `metrics` columns.
    public func storedJSON() throws -> (files: String, lineage: String, metrics: String) {
        (try Self.storedText(files), try Self.storedText(lineage), try Self.storedText(metrics))
    }

    /// The dataset fingerprints of the lineage, once each: the `version_datasets` rows.
    public var storedDatasetFingerprints: [String] {
        Array(Set(lineage.datasets.compactMap(\.fingerprint))).sorted()
    }

    private static func storedText<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONCoding.lineEncoder.encode(value), as: UTF8.self)
    }

    private static func storedValue<T: Decodable>(_ text: String, _ subject: String) throws -> T {
        do {
            return try JSONCoding.decoder.decode(T.self, from: Data(text.utf8))
        } catch {
            throw RegistryError.storeFailure(operation: "read \(subject)", reason: "a stored \(T.self) is not valid JSON: \(error)")
        }
    }
}

extension AliasMove {
    /// A move from its `alias_history` row.
    public init(stored row: some StoredRecordRow) throws {
        let aliasName = try row.text("alias")
        guard let alias = ModelAlias(rawValue: aliasName) else {
            throw RegistryError.storeFailure(operation: "read alias history", reason: "unknown alias '\(aliasName)'")
        }
        self.init(
            name: try row.text("name"), alias: alias, version: try row.integer("version"),
            previousVersion: try row.optionalInteger("previous_version"), action: try row.text("action"),
            actor: try row.text("actor"), at: try row.text("at"))
    }
}

extension AuditEntry {
    /// An entry from its `audit_log` row.
    public init(stored row: some StoredRecordRow) throws {
        self.init(
            seq: try row.integer("seq"), at: try row.text("at"), actor: try row.text("actor"), action: try row.text("action"),
            subject: try row.text("subject"), body: try row.text("body"), leafHash: try row.text("leaf_hash"))
    }
}

extension AuditEvent {
    /// The entry this event becomes at position `seq` of the log: stamped now, body canonical, leaf hash computed.
    public func entry(seq: Int) -> AuditEntry {
        let at = Timestamp.string()
        let text = body.canonical
        let leaf = MerkleTree.leafHash(AuditEntry.leafData(
            seq: seq, at: at, actor: actor, action: action.rawValue, subject: subject, body: text))
        return AuditEntry(seq: seq, at: at, actor: actor, action: action.rawValue, subject: subject, body: text, leafHash: leaf.hex)
    }
}

extension TreeHead {
    /// The head of the tree over the stored leaf hashes (hex, in log order).
    /// - Throws: `RegistryError.storeFailure` when a stored hash is not hex.
    public init(leafHashes: [String]) throws {
        var tree = MerkleTree()
        for hex in leafHashes {
            guard let bytes = Data(hex: hex) else {
                throw RegistryError.storeFailure(
                    operation: "append to the audit log", reason: "a stored leaf hash is not hex; run `quench audit verify`")
            }
            tree.append(leafHash: bytes)
        }
        self.init(size: tree.size, root: tree.root.hex)
    }
}

extension StoredUser {
    /// A user from its `api_users` row.
    public init(stored row: some StoredRecordRow, source: String) throws {
        let name = try row.text("name")
        let rolesText = try row.text("roles")
        guard let roles = RegistryRole.parseStored(rolesText) else {
            throw RegistryError.storeCorrupt(
                path: source, table: "api_users", column: "roles", reason: "'\(rolesText)' of \(name) is not a list of roles")
        }
        self.init(
            user: APIUser(
                name: name, roles: roles, createdAt: try row.text("created_at"), createdBy: try row.text("created_by"),
                revokedAt: try row.optionalText("revoked_at")),
            tokenSHA256: try row.text("token_sha256"))
    }

    /// The text of the `roles` column.
    public var storedRoles: String { RegistryRole.storedText(user.roles) }
}
