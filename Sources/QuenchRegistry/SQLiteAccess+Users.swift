import Foundation
import GRDB

/// API users and the audit leaf hashes in the SQLite store.
extension SQLiteAccess {
    func auditLeafHashes() throws -> [String] {
        try String.fetchAll(db, sql: "SELECT leaf_hash FROM audit_log ORDER BY seq")
    }

    func user(named name: String) throws -> StoredUser? {
        try Row.fetchOne(db, sql: "SELECT * FROM api_users WHERE name = ?", arguments: [name]).map(decodeUser)
    }

    func user(withTokenSHA256 tokenSHA256: String) throws -> StoredUser? {
        try Row.fetchOne(db, sql: "SELECT * FROM api_users WHERE token_sha256 = ?", arguments: [tokenSHA256]).map(decodeUser)
    }

    func users() throws -> [StoredUser] {
        try Row.fetchAll(db, sql: "SELECT * FROM api_users ORDER BY name").map(decodeUser)
    }

    func save(_ stored: StoredUser) throws {
        let user = stored.user
        try db.execute(sql: """
            INSERT INTO api_users (name, roles, token_sha256, created_at, created_by, revoked_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET roles = excluded.roles, token_sha256 = excluded.token_sha256,
                created_at = excluded.created_at, created_by = excluded.created_by, revoked_at = excluded.revoked_at
            """, arguments: [
                user.name, RegistryRole.storedText(user.roles), stored.tokenSHA256, user.createdAt, user.createdBy, user.revokedAt,
            ])
    }

    private func decodeUser(_ row: Row) throws -> StoredUser {
        let name: String = try row.stored("name", of: "api_users", in: path)
        let rolesText: String = try row.stored("roles", of: "api_users", in: path)
        guard let roles = RegistryRole.parseStored(rolesText) else {
            throw RegistryError.storeCorrupt(path: path, table: "api_users", column: "roles", reason: "'\(rolesText)' of \(name) is not a list of roles")
        }
        return StoredUser(
            user: APIUser(
                name: name, roles: roles, createdAt: try row.stored("created_at", of: "api_users", in: path),
                createdBy: try row.stored("created_by", of: "api_users", in: path),
                revokedAt: try row.stored("revoked_at", of: "api_users", in: path)),
            tokenSHA256: try row.stored("token_sha256", of: "api_users", in: path))
    }
}
