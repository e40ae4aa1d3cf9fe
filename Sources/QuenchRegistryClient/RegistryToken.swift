import Foundation
import QuenchHub
import QuenchSecurity

/// Where the bearer token a client presents to a registry server comes from: the environment or a private
/// file, never argv. It is held as a `HubToken`, redacted in every description and registered with
/// `KnownSecrets`, so no output can show it.
public enum RegistryToken {
    /// `QUENCH_REGISTRY_TOKEN`, else the contents of the file `QUENCH_REGISTRY_TOKEN_FILE` names, read as the
    /// hub token file is (`KeyFile`: a regular file of the current user, not a symbolic link, mode 0600).
    /// - Parameter url: the registry, named in the error when there is no token.
    public static func load(environment: [String: String], for url: String) throws(RegistryClientError) -> HubToken {
        if let text = environment["QUENCH_REGISTRY_TOKEN"], let token = HubToken(text) { return token }
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
        guard let token = HubToken(text) else { throw .tokenFileUnreadable(path: path, reason: "it is empty") }
        return token
    }
}
