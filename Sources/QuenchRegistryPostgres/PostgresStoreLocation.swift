import Foundation

/// Where the PostgreSQL store lives: `postgres://USER@HOST:PORT/DATABASE[?tls=require|disable][&tls_ca=FILE]`.
///
/// The URL never carries the password (see `PostgresPassword`). TLS is required unless the host is a
/// loopback address or `tls=disable` says otherwise, so a team database is never reached in clear text by
/// default; the server's certificate is verified against the system's trust roots, or against the PEM CA
/// file `tls_ca` names (a private CA, as managed databases often use).
public struct PostgresStoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// Whether the connection is encrypted.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// TLS with the server's certificate verified against the system's trust roots and the host name.
        case require
        /// Plain TCP: for loopback, or a network the operator vouches for.
        case disable
    }

    /// The accepted form, shown in errors.
    public static let form = "postgres://USER@HOST[:PORT]/DATABASE[?tls=require|disable][&tls_ca=CA.pem]"

    /// A host name or IP address (IPv6 without brackets).
    public var host: String
    public var port: Int
    /// The role the store logs in as.
    public var user: String
    public var database: String
    public var tls: TLSMode
    /// The PEM file of the CA that signed the server's certificate; nil trusts the system's roots.
    public var certificateAuthority: String?

    public init(host: String, port: Int = 5432, user: String, database: String, tls: TLSMode, certificateAuthority: String? = nil) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
        self.certificateAuthority = certificateAuthority
    }

    /// Parses a database URL.
    /// - Throws: `PostgresStoreError.passwordInURL` when it names a password, `.urlInvalid` naming what is wrong.
    public init(url text: String) throws {
        guard var components = URLComponents(string: text), components.scheme != nil else {
            throw PostgresStoreError.urlInvalid(url: "(the --database value)", reason: "it is not a URL")
        }
        if components.password != nil {
            components.password = nil
            throw PostgresStoreError.passwordInURL(url: components.string ?? "(the --database value)")
        }
        let shown = components.string ?? text
        func invalid(_ reason: String) -> PostgresStoreError { .urlInvalid(url: shown, reason: reason) }
        guard let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql" else {
            throw invalid("the scheme is '\(components.scheme ?? "")', not postgres")
        }
        guard let user = components.user, !user.isEmpty else { throw invalid("it names no user (USER@ before the host)") }
        guard let rawHost = components.host, !rawHost.isEmpty else { throw invalid("it names no host") }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw invalid("port \(port) is not between 1 and 65535") }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.isEmpty, !path.contains("/") else { throw invalid("the path must be one database name, like /registry") }
        guard components.fragment == nil else { throw invalid("it has a fragment (#...)") }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        var tls: TLSMode?
        var certificateAuthority: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "tls":
                guard tls == nil else { throw invalid("tls is given twice") }
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw invalid("tls=\(item.value ?? "") is neither \(TLSMode.allCases.map(\.rawValue).joined(separator: " nor "))")
                }
                tls = mode
            case "tls_ca":
                guard certificateAuthority == nil else { throw invalid("tls_ca is given twice") }
                guard let file = item.value, !file.isEmpty else { throw invalid("tls_ca names no file") }
                certificateAuthority = file
            default:
                throw invalid("unknown parameter '\(item.name)'; the parameters are tls and tls_ca")
            }
        }
        let mode = tls ?? (certificateAuthority != nil || !Self.isLoopback(host) ? .require : .disable)
        guard mode == .require || certificateAuthority == nil else { throw invalid("tls_ca needs TLS, but tls=disable") }
        self.init(host: host, port: port, user: user, database: path, tls: mode, certificateAuthority: certificateAuthority)
    }

    /// Whether `host` names this machine: `localhost`, 127.0.0.0/8 or ::1.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        return octets.count == 4 && octets.allSatisfy { $0.map { (0...255).contains($0) } ?? false } && octets[0] == 127
    }

    /// `postgres://USER@HOST:PORT/DATABASE`, as errors and logs name the store (there is no password to hide).
    public var description: String {
        "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }
}
