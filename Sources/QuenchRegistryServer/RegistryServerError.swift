import Foundation

/// What keeps `quench registry serve` from starting, each case naming the option or setting to fix.
public enum RegistryServerError: Error, Equatable, CustomStringConvertible {
    case listenAddressInvalid(String)
    case plainHTTPOffLoopback(String)
    case tlsIncomplete(given: String, missing: String)
    case tlsUnreadable(path: String, reason: String)
    case limitInvalid(option: String, value: Int)
    /// A web UI session lifetime outside 1 s ... one day.
    case sessionLifetimeInvalid(Int)
    case openAPIDocumentMissing
    case passwordFileWithoutDatabase
    /// The OIDC issuer's JWKS file or URL could not be read (`source` names it).
    case jwksUnreadable(source: String, reason: String)
    /// The OIDC issuer's JWKS was read but is not a usable key set.
    case jwksInvalid(source: String, reason: String)

    public var description: String {
        switch self {
        case .listenAddressInvalid(let text):
            return "--listen '\(text)' is not HOST:PORT (for example 127.0.0.1:8443, or [::1]:8443; port 0 picks a free one)"
        case .plainHTTPOffLoopback(let address):
            return "refusing plain HTTP on \(address): tokens would cross the network in clear; give --tls-cert and --tls-key, or listen on 127.0.0.1"
        case .tlsIncomplete(let given, let missing):
            return "\(given) needs \(missing) too"
        case .tlsUnreadable(let path, let reason):
            return "cannot use the TLS file \(path): \(reason)"
        case .limitInvalid(let option, let value):
            return "\(option) \(value) is out of range: give a positive number"
        case .sessionLifetimeInvalid(let seconds):
            return "--session-lifetime \(seconds) is out of range: give seconds from 1 to 86400 (one day)"
        case .openAPIDocumentMissing:
            return "the OpenAPI document is missing from this build (resource openapi.yaml of QuenchRegistryServer)"
        case .passwordFileWithoutDatabase:
            return "--database-password-file is for a PostgreSQL --database; the embedded SQLite store has no password"
        case .jwksUnreadable(let source, let reason):
            return "cannot read the OIDC issuer's keys (oidc.jwks in server.yaml) from \(source): \(reason)"
        case .jwksInvalid(let source, let reason):
            return "the OIDC issuer's keys (oidc.jwks in server.yaml) at \(source) are not a usable JSON Web Key Set: \(reason)"
        }
    }
}
