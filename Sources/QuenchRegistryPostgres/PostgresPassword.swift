import Foundation
import QuenchSecurity

/// Where the PostgreSQL store's password comes from: a private file or the environment, never the URL or argv.
public enum PostgresPassword {
    /// The environment variable holding the password when no file is given.
    public static let environmentVariable = "QUENCH_REGISTRY_DATABASE_PASSWORD"

    /// The password from `file` (its first line; a 0600 regular file of the current user, as every secret
    /// file) when given, else from `environment`; nil when neither names one (the server trusts the client).
    /// The value is recorded with `KnownSecrets`, so output filters remove it wherever it shows up.
    /// - Throws: `PostgresStoreError.passwordFileRefused` or `.passwordFileEmpty` naming the file.
    public static func resolve(file: URL?, environment: [String: String]) throws -> String? {
        let password: String?
        if let file {
            let bytes: Data
            do {
                bytes = try KeyFile.readSecret(file)
            } catch let failure as KeyFile.Failure {
                throw PostgresStoreError.passwordFileRefused(path: failure.path, reason: failure.reason)
            } catch {
                throw PostgresStoreError.passwordFileRefused(path: file.path, reason: "\(error)")
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let line = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).first,
                  !line.isEmpty else {
                throw PostgresStoreError.passwordFileEmpty(path: file.path)
            }
            password = String(line)
        } else {
            password = environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        }
        password.map(KnownSecrets.register)
        return password
    }
}
