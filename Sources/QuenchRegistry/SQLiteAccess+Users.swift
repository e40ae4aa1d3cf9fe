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
                user.name, stored.storedRoles, stored.tokenSHA256, user.createdAt, user.createdBy, user.revokedAt,
            ])
    }

    private func decodeUser(_ row: Row) throws -> StoredUser {
        try StoredUser(stored: SQLiteRecordRow(row: row, table: "api_users", path: path), source: path)
    }
}
