/// Why the OIDC issuer's keys cannot be used: `quench registry serve` refuses to start with them.
public enum OIDCError: Error, Equatable, CustomStringConvertible {
    /// The JWKS file or URL could not be read (`source` names it).
    case jwksUnreadable(source: String, reason: String)
    /// The JWKS was read but is not a usable key set.
    case jwksInvalid(source: String, reason: String)

    public var description: String {
        switch self {
        case .jwksUnreadable(let source, let reason):
            return "cannot read the OIDC issuer's keys (oidc.jwks in server.yaml) from \(source): \(reason)"
        case .jwksInvalid(let source, let reason):
            return "the OIDC issuer's keys (oidc.jwks in server.yaml) at \(source) are not a usable JSON Web Key Set: \(reason)"
        }
    }
}
