import Foundation

/// How the registry learned who is acting.
public enum AuthenticationMethod: String, Codable, Sendable {
    /// A per-user API token the server issued and checked against its stored hash.
    case apiToken = "api_token"
    /// A bearer JWT from a configured OIDC issuer, verified against its keys.
    case oidc
    /// The embedded registry's OS user (or service account): asserted, not authenticated, so advisory.
    case local
    /// Someone with access to the server's home, managing users on the server host.
    case serverAdmin = "server_admin"
}

/// Who acts on the registry and the roles they hold: authenticated by the server, or asserted locally.
public struct RegistryIdentity: Codable, Sendable, Equatable {
    public var name: String
    /// Sorted and unique.
    public var roles: [RegistryRole]
    public var method: AuthenticationMethod

    public init(name: String, roles: [RegistryRole], method: AuthenticationMethod) {
        self.name = name
        self.roles = Array(Set(roles)).sorted { $0.rawValue < $1.rawValue }
        self.method = method
    }

    /// True when the identity holds any of `wanted`.
    public func holdsAny(of wanted: [RegistryRole]) -> Bool {
        roles.contains { wanted.contains($0) }
    }
}
