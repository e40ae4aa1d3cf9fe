import Foundation
import JWTKit
import QuenchRegistry

/// Bearer JWTs from the OIDC issuer in `server.yaml` (CI jobs): the signature checked against the issuer's
/// keys, `iss`, `aud` and the lifetime checked, roles given by the configured claim rules, never by the
/// token. Every failure is nil, so the caller answers the same 401 as for an unknown API token; nothing
/// about the token is logged.
public struct OIDCAuthenticator: Authenticator {
    let settings: OIDCSettings
    let keySet: OIDCKeySet

    /// Longest identity name accepted from the name claim.
    static let maximumNameLength = 512

    /// An authenticator for `settings`, its keys read now.
    /// - Throws: `RegistryServerError` when the key set cannot be read or used.
    public init(settings: OIDCSettings) async throws {
        try await self.init(settings: settings, refreshInterval: OIDCKeySet.defaultRefreshInterval)
    }

    init(settings: OIDCSettings, refreshInterval: Duration) async throws {
        self.settings = settings
        keySet = try await OIDCKeySet(source: settings.jwks, caBundle: settings.caBundle, refreshInterval: refreshInterval)
    }

    /// The authenticator `HOME/server.yaml` configures, or nil when it has no `oidc` section (or there is no file).
    /// - Throws: `ConfigFileError` for the file, `RegistryServerError` for the issuer's keys.
    public static func configured(home: URL) async throws -> OIDCAuthenticator? {
        guard let settings = try ServerConfig.load(home: home).oidc else { return nil }
        return try await OIDCAuthenticator(settings: settings)
    }

    /// The identity `oidc:<name claim>` with the roles the rules give, or nil for anything but a valid token of
    /// the issuer for this audience earning at least one role. Not a JWT (an API token): nil before any work.
    public func identity(forBearer credential: String) async throws -> RegistryIdentity? {
        guard let header = OIDCTokenHeader.parse(credential),
              let keys = await keySet.keys(forKeyID: header.kid, algorithm: header.alg),
              let claims = try? await keys.verify(credential, as: OIDCClaims.self),
              claims.issuer == settings.issuer, claims.audience.contains(settings.audience),
              let subject = claims.strings[settings.nameClaim], Self.isAcceptableName(subject) else { return nil }
        let roles = settings.roles(for: claims.strings)
        guard !roles.isEmpty else { return nil }
        return RegistryIdentity(name: "oidc:" + subject, roles: roles, method: .oidc)
    }

    /// A name that reads safely in the audit log and the access log: not empty, not too long, no control characters.
    private static func isAcceptableName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= maximumNameLength
            && !name.unicodeScalars.contains { CharacterSet.controlCharacters.contains($0) }
    }
}
