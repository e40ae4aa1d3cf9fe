import Foundation

/// A user of a registry server, as `users list` and `GET /v1/me` show it: never the token or its hash.
public struct APIUser: Codable, Sendable, Equatable {
    public var name: String
    public var roles: [RegistryRole]
    /// ISO 8601 UTC.
    public var createdAt: String
    public var createdBy: String
    /// When the token was revoked; a revoked user authenticates no more.
    public var revokedAt: String?

    enum CodingKeys: String, CodingKey {
        case name, roles, createdAt = "created_at", createdBy = "created_by", revokedAt = "revoked_at"
    }
}

/// A user row as the store keeps it: the public record plus the SHA-256 of the user's API token.
public struct StoredUser: Sendable, Equatable {
    public var user: APIUser
    /// Hex SHA-256 of the token; the token itself is printed once and never stored.
    public var tokenSHA256: String

    public init(user: APIUser, tokenSHA256: String) {
        self.user = user
        self.tokenSHA256 = tokenSHA256
    }
}

extension RegistryRole {
    /// Roles as the stores keep them: comma-separated raw values, sorted.
    public static func storedText(_ roles: [RegistryRole]) -> String {
        Set(roles).map(\.rawValue).sorted().joined(separator: ",")
    }

    /// Parses `storedText`; nil when any part is not a role.
    public static func parseStored(_ text: String) -> [RegistryRole]? {
        var roles: [RegistryRole] = []
        for part in text.split(separator: ",") {
            guard let role = RegistryRole(rawValue: String(part)) else { return nil }
            roles.append(role)
        }
        return roles
    }
}
