import Foundation
import QuenchSecurity

/// An access token. Its description is redacted so that string interpolation, `print` and error
/// messages can never show it; only the transport's `Authorization` header reads the value. Every
/// token made is recorded in `KnownSecrets`, so the output filters remove it wherever it came from.
public struct HubToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    let value: String

    /// Wraps `value` (trimmed) and records it as a known secret; nil when empty.
    public init?(_ value: String) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        KnownSecrets.register(trimmed)
        self.value = trimmed
    }

    /// The `Authorization` header that carries the token (to a hub, or to a registry server).
    public var authorizationHeader: (name: String, value: String) { ("Authorization", "Bearer \(value)") }

    /// The token's bytes, to hand to a training machine's owner-only token file; never log them.
    public var bytesToHandOff: Data { Data(value.utf8) }

    public var description: String { "HubToken(redacted)" }
    public var debugDescription: String { description }
}
