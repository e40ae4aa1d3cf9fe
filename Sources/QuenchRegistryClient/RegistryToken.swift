import Foundation
import QuenchSecurity

/// The bearer token a client presents to a registry server. Its description is redacted, so printing,
/// interpolating or logging it never shows the value, and the value is recorded in `KnownSecrets` so the
/// output filters remove it wherever it shows up. It comes from the environment or a private file, never argv.
public struct RegistryToken: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    private let value: String

    /// Wraps `value` (trimmed); nil when empty.
    public init?(_ value: String) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        KnownSecrets.register(trimmed)
        self.value = trimmed
    }

    /// The `Authorization` header that carries the token.
    var authorizationHeader: (name: String, value: String) { ("Authorization", "Bearer \(value)") }

    public var description: String { "RegistryToken(redacted)" }
    public var debugDescription: String { description }

    /// `QUENCH_REGISTRY_TOKEN`, else the contents of the file `QUENCH_REGISTRY_TOKEN_FILE` names, read as the
    /// hub token file is (`KeyFile`: a regular file of the current user, not a symbolic link, mode 0600).
    /// - Parameter url: the registry, named in the error when there is no token.
    public static func load(environment: [String: String], for url: String) throws(RegistryClientError) -> RegistryToken {
        if let text = environment["QUENCH_REGISTRY_TOKEN"], let token = RegistryToken(text) { return token }
        guard let path = environment["QUENCH_REGISTRY_TOKEN_FILE"], !path.isEmpty else { throw .tokenMissing(url: url) }
        let data: Data
        do {
            data = try KeyFile.readSecret(URL(fileURLWithPath: path))
        } catch let failure as KeyFile.Failure {
            throw .tokenFileUnreadable(path: path, reason: failure.reason)
        } catch {
            throw .tokenFileUnreadable(path: path, reason: "\(error)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .tokenFileUnreadable(path: path, reason: "it is not UTF-8 text") }
        guard let token = RegistryToken(text) else { throw .tokenFileUnreadable(path: path, reason: "it is empty") }
        return token
    }
}
