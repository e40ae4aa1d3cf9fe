#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import QuenchConfig
import QuenchFiles

/// `HOME/server.yaml`: what only the server decides, never a client (today the OIDC issuer whose JWTs
/// it accepts and the rules that give their claims roles). It grants roles, so it must belong to the
/// user running the server and be writable by no one else.
public struct ServerConfig: Sendable, Equatable {
    /// OIDC identities for CI; nil accepts API tokens only.
    public var oidc: OIDCSettings?

    /// The file's name in the server's home.
    public static let fileName = "server.yaml"

    /// The keys of the file, by section; `oidc.rules` is the entry of every rule in the list.
    static let schema: [String: [String]] = [
        "": ["oidc"],
        "oidc": ["issuer", "audience", "jwks", "ca_bundle", "name_claim", "rules"],
        "oidc.rules": ["claim", "equals", "roles"],
    ]

    /// The configuration of the server whose home is `home`; without a `server.yaml` there, none (API tokens only).
    /// - Throws: `ConfigFileError.unreadable` for a file the server does not own, that others may write or
    ///   that cannot be read, else `ConfigFileError` with every problem, its line and key.
    public static func load(home: URL) throws(ConfigFileError) -> ServerConfig {
        let path = home.appendingPathComponent(fileName).path
        let file: RegularFile
        do throws(RegularFile.Failure) {
            file = try RegularFile(path: path, limit: ConfigDocument.defaultLimit)
        } catch .missing {
            return ServerConfig(oidc: nil)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        try requireServerOwned(file)
        let data: Data
        do throws(RegularFile.Failure) {
            data = try file.readAll(limit: ConfigDocument.defaultLimit)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: path, reason: RegularFile.Failure.notText(path: path).reason)
        }
        let document = try ConfigDocument(yaml: text, file: path)
        return try document.read(schema: schema) { r, node in
            let root = r.root(node)
            switch r.lookup("oidc", in: root) {
            case .absent:
                return ServerConfig(oidc: nil)
            case .null(let place):
                r.report(.wrongType(expected: "a mapping of the issuer's settings (issuer, audience, jwks, rules)", found: "null"),
                         key: "oidc", at: place)
                return ServerConfig(oidc: nil)
            case .present:
                return ServerConfig(oidc: OIDCSettings.read(&r, in: r.section("oidc", in: root), directory: home.standardizedFileURL))
            }
        }
    }

    /// Refuses a file another user owns or may write: whoever can change it can give themselves any role.
    private static func requireServerOwned(_ file: RegularFile) throws(ConfigFileError) {
        guard file.owner == geteuid() else {
            throw .unreadable(file: file.path, reason: "it belongs to user id \(file.owner), not to the user running the server "
                + "(\(geteuid())); whoever owns it could give themselves any role")
        }
        guard file.permissions & 0o022 == 0 else {
            throw .unreadable(file: file.path, reason: "it has mode \(String(file.permissions, radix: 8)), so other users may change "
                + "it and give themselves roles; run `chmod go-w \(file.path)`")
        }
    }
}
