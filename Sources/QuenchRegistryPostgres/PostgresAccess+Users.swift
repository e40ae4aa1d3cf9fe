import PostgresNIO
import QuenchRegistry

/// The server's API users in the PostgreSQL store.
extension PostgresAccess {
    func user(named name: String) throws -> StoredUser? {
        try users("SELECT * FROM api_users WHERE name = \(name)", "read user \(name)").first
    }

    func user(withTokenSHA256 tokenSHA256: String) throws -> StoredUser? {
        try users("SELECT * FROM api_users WHERE token_sha256 = \(tokenSHA256)", "look up a token").first
    }

    func users() throws -> [StoredUser] {
        try users("SELECT * FROM api_users ORDER BY name COLLATE \"C\"", "list users")
    }

    func save(_ stored: StoredUser) throws {
        let user = stored.user
        try session.run("""
            INSERT INTO api_users (name, roles, token_sha256, created_at, created_by, revoked_at)
            VALUES (\(user.name), \(stored.storedRoles), \(stored.tokenSHA256), \(user.createdAt), \(user.createdBy), \(user.revokedAt))
            ON CONFLICT (name) DO UPDATE SET roles = EXCLUDED.roles, token_sha256 = EXCLUDED.token_sha256,
                created_at = EXCLUDED.created_at, created_by = EXCLUDED.created_by, revoked_at = EXCLUDED.revoked_at
            """, "save user \(user.name)")
    }

    private func users(_ query: PostgresQuery, _ operation: String) throws -> [StoredUser] {
        try session.rows(query, operation).map { try StoredUser(stored: record($0, "api_users"), source: session.store) }
    }
}
