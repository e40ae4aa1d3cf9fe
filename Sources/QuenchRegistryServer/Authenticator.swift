import Foundation
import Hummingbird
import QuenchRegistry

/// Turns a bearer credential into an identity: the seam where API tokens and OIDC JWTs plug in.
public protocol Authenticator: Sendable {
    /// The identity `credential` proves, or nil when this authenticator does not accept it
    /// (unknown, revoked, expired, forged, or not its kind of credential).
    func identity(forBearer credential: String) async throws -> RegistryIdentity?
}

/// Per-user API tokens issued by `quench registry users add`: the token's SHA-256 looked up in the store.
struct APITokenAuthenticator: Authenticator {
    let worker: RegistryWorker

    func identity(forBearer credential: String) async throws -> RegistryIdentity? {
        // An OIDC JWT is not ours: no hop to the worker threads and no store lookup for it.
        guard credential.hasPrefix(Registry.tokenPrefix) else { return nil }
        return try await worker.run { try $0.identity(forToken: credential) }
    }
}

/// Authenticates requests with a list of authenticators, the first that accepts the credential winning.
struct RequestAuthentication: Sendable {
    let authenticators: [any Authenticator]

    /// The caller's identity; 401 (always the same answer) when there is no acceptable bearer credential.
    /// The identity is recorded for the access log.
    func identity(of request: Request, context: RegistryRequestContext) async throws -> RegistryIdentity {
        guard let header = request.headers[.authorization] else { throw APIError.unauthorized }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw APIError.unauthorized }
        let credential = parts[1].trimmingCharacters(in: .whitespaces)
        guard !credential.isEmpty else { throw APIError.unauthorized }
        for authenticator in authenticators {
            if let identity = try await authenticator.identity(forBearer: credential) {
                context.record.authenticated(as: identity.name)
                return identity
            }
        }
        throw APIError.unauthorized
    }

    /// The caller's identity, which must hold one of `roles` for `action`; 403 naming the roles otherwise.
    func identity(of request: Request, context: RegistryRequestContext, holding roles: [RegistryRole], for action: String) async throws -> RegistryIdentity {
        let identity = try await identity(of: request, context: context)
        guard identity.holdsAny(of: roles) else {
            throw APIError.forbidden(identity.name, action: action, needs: roles.map(\.rawValue))
        }
        return identity
    }
}
