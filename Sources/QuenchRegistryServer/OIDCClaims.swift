import Foundation
import JWTKit

/// The claims of an OIDC token the server relies on, checked for lifetime by jwt-kit once the signature
/// holds: `exp` is required, `nbf` and `iat` are checked when present, each with `leeway` for clock skew.
struct OIDCClaims: JWTPayload {
    /// Allowed clock difference between the issuer and the server.
    static let leeway: TimeInterval = 60

    var issuer: String
    /// `aud`: one string or a list.
    var audience: [String]
    var expiration: Date
    var notBefore: Date?
    var issuedAt: Date?
    /// Every claim with a string value, by name (`sub`, `repository`, `ref`...): the name and the role rules read them.
    var strings: [String: String]

    /// The claim names with a meaning of their own.
    private enum Standard {
        static let issuer = "iss", audience = "aud", expiration = "exp", notBefore = "nbf", issuedAt = "iat"
        static let all: Set = [issuer, audience, expiration, notBefore, issuedAt]
    }

    /// A claim name.
    private struct Key: CodingKey {
        let stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    init(issuer: String, audience: [String], expiration: Date, notBefore: Date? = nil, issuedAt: Date? = nil,
         strings: [String: String]) {
        self.issuer = issuer
        self.audience = audience
        self.expiration = expiration
        self.notBefore = notBefore
        self.issuedAt = issuedAt
        self.strings = strings
    }

    init(from decoder: any Decoder) throws {
        let claims = try decoder.container(keyedBy: Key.self)
        issuer = try claims.decode(String.self, forKey: Key(Standard.issuer))
        if let single = try? claims.decode(String.self, forKey: Key(Standard.audience)) {
            audience = [single]
        } else {
            audience = try claims.decode([String].self, forKey: Key(Standard.audience))
        }
        expiration = try claims.decode(ExpirationClaim.self, forKey: Key(Standard.expiration)).value
        notBefore = try claims.decodeIfPresent(NotBeforeClaim.self, forKey: Key(Standard.notBefore))?.value
        issuedAt = try claims.decodeIfPresent(IssuedAtClaim.self, forKey: Key(Standard.issuedAt))?.value
        var strings: [String: String] = [:]
        for key in claims.allKeys {
            if let value = try? claims.decode(String.self, forKey: key) { strings[key.stringValue] = value }
        }
        self.strings = strings
    }

    func encode(to encoder: any Encoder) throws {
        var claims = encoder.container(keyedBy: Key.self)
        for (name, value) in strings where !Standard.all.contains(name) { try claims.encode(value, forKey: Key(name)) }
        try claims.encode(issuer, forKey: Key(Standard.issuer))
        try claims.encode(audience, forKey: Key(Standard.audience))
        try claims.encode(ExpirationClaim(value: expiration), forKey: Key(Standard.expiration))
        try claims.encodeIfPresent(notBefore.map(NotBeforeClaim.init(value:)), forKey: Key(Standard.notBefore))
        try claims.encodeIfPresent(issuedAt.map(IssuedAtClaim.init(value:)), forKey: Key(Standard.issuedAt))
    }

    /// Called by jwt-kit after the signature checked: the token must be within its lifetime.
    func verify(using _: some JWTAlgorithm) async throws {
        let now = Date()
        try ExpirationClaim(value: expiration).verifyNotExpired(currentDate: now.addingTimeInterval(-Self.leeway))
        try notBefore.map(NotBeforeClaim.init(value:))?.verifyNotBefore(currentDate: now.addingTimeInterval(Self.leeway))
        if let issuedAt, issuedAt > now.addingTimeInterval(Self.leeway) {
            throw JWTError.claimVerificationFailure(failedClaim: IssuedAtClaim(value: issuedAt), reason: "issued in the future")
        }
    }
}
