import Crypto
import Foundation
import QuenchFiles

/// A registry server's API users: tokens issued once, stored only as hashes, every change audited.
extension Registry {
    /// The prefix of every API token, so a leaked one is recognisable (and scanners can find it).
    public static let tokenPrefix = "qrt_"

    /// Creates `name` with `roles` and returns the user with its new token, which is never stored or shown again.
    /// - Throws: `userExists` for a user with a token that is not revoked.
    public func addUser(name: String, roles: [RegistryRole], by admin: RegistryIdentity) throws -> (user: APIUser, token: String) {
        guard ModelName.isValid(name) else { throw RegistryError.invalidUserName(name) }
        guard !roles.isEmpty else { throw RegistryError.userNeedsRole(name) }
        let token = Self.tokenPrefix + Self.randomURLSafeToken()
        let user = APIUser(name: name, roles: RegistryIdentity(name: name, roles: roles, method: .apiToken).roles,
                           createdAt: Timestamp.string(), createdBy: admin.name, revokedAt: nil)
        let created = try change { access in
            if let existing = try access.user(named: name), existing.user.revokedAt == nil { throw RegistryError.userExists(name) }
            try access.save(StoredUser(user: user, tokenSHA256: Self.tokenHash(token)))
            let head = try access.append(AuditEvent(actor: admin.name, action: .userAdd, subject: "user:\(name)", body: .object([
                "name": .string(name), "roles": .array(user.roles.map { .string($0.rawValue) }),
            ])))
            return (user, head)
        }
        return (created, token)
    }

    /// Revokes `name`'s token: from now on it authenticates no more.
    @discardableResult
    public func revokeUser(name: String, by admin: RegistryIdentity) throws -> APIUser {
        try change { access in
            guard var stored = try access.user(named: name), stored.user.revokedAt == nil else { throw RegistryError.userNotFound(name) }
            stored.user.revokedAt = Timestamp.string()
            try access.save(stored)
            let head = try access.append(AuditEvent(actor: admin.name, action: .userRevoke, subject: "user:\(name)", body: .object([
                "name": .string(name),
            ])))
            return (stored.user, head)
        }
    }

    /// Every API user, revoked ones included, by name.
    public func users() throws -> [APIUser] {
        try store.read { try $0.users().map(\.user) }
    }

    /// The identity a bearer token authenticates, or nil for an unknown or revoked token.
    public func identity(forToken token: String) throws -> RegistryIdentity? {
        guard token.hasPrefix(Self.tokenPrefix) else { return nil }
        return Self.liveIdentity(try store.read { try $0.user(withTokenSHA256: Self.tokenHash(token)) })
    }

    /// The identity of the API user `name` as it is now, or nil for an unknown or revoked user: a web
    /// session looks its user up on every request, so a revocation or a role change applies at once.
    public func identity(ofUser name: String) throws -> RegistryIdentity? {
        Self.liveIdentity(try store.read { try $0.user(named: name) })
    }

    /// The identity of `stored` unless it is absent or revoked.
    private static func liveIdentity(_ stored: StoredUser?) -> RegistryIdentity? {
        guard let stored, stored.user.revokedAt == nil else { return nil }
        return RegistryIdentity(name: stored.user.name, roles: stored.user.roles, method: .apiToken)
    }

    /// Hex SHA-256 of a token, as stored.
    static func tokenHash(_ token: String) -> String {
        Data(SHA256.hash(data: Data(token.utf8))).hex
    }

    /// 32 random bytes, base64url without padding: the body of an API token, and the web UI's session
    /// ids and CSRF tokens.
    public static func randomURLSafeToken() -> String {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        return bytes.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
