import Foundation

/// Why the PostgreSQL store cannot be configured: the database URL or the password source.
/// Failures talking to the database itself are `RegistryError.storeFailure`, as for every store.
public enum PostgresStoreError: Error, Equatable, CustomStringConvertible {
    /// The `--database` value is not a PostgreSQL URL this store can use; `url` never holds a password.
    case urlInvalid(url: String, reason: String)
    /// The URL carries a password, which would then sit in argv, shell history and logs.
    case passwordInURL(url: String)
    /// The password file was refused or could not be read.
    case passwordFileRefused(path: String, reason: String)
    /// The password file holds no password.
    case passwordFileEmpty(path: String)

    public var description: String {
        switch self {
        case .urlInvalid(let url, let reason):
            return "the database URL \(url) cannot be used: \(reason); expected \(PostgresStoreLocation.form)"
        case .passwordInURL(let url):
            return "the database URL \(url) contains a password, which would show in the process list and logs; "
                + "remove it and put the password in a 0600 file (--database-password-file) or in \(PostgresPassword.environmentVariable)"
        case .passwordFileRefused(let path, let reason):
            return "the database password file \(path) was refused: \(reason)"
        case .passwordFileEmpty(let path):
            return "the database password file \(path) is empty; write the password on its first line"
        }
    }
}
