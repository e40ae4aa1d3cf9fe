import Foundation
import QuenchFiles
import QuenchSecurity
import Yams

/// What a user may do in the registry.
public enum RegistryRole: String, Codable, Sendable, CaseIterable {
    /// Registers the versions it trained.
    case trainer
    /// Approves or rejects versions registered by someone else, and promotes approved ones.
    case approver
    /// Promotes, rolls back, archives, and flags versions for review.
    case admin
}

/// `configs/registry.yaml`: who holds which role, which service accounts may name an actor, and the signing key.
public struct RegistryConfig: Sendable, Equatable {
    /// A non-human account that may set `QUENCH_ACTOR` to its own name, when run by one of `runBy`.
    public struct ServiceAccount: Codable, Sendable, Equatable {
        /// OS users allowed to act as this account.
        public var runBy: [String]

        enum CodingKeys: String, CodingKey { case runBy = "run_by" }
    }

    public var roles: [String: [RegistryRole]]
    public var serviceAccounts: [String: ServiceAccount]
    /// Private key signing artifacts and audit checkpoints; nil means `$QUENCH_HOME/keys/signing.key`.
    public var signingKey: URL?
    /// The file this was read from, named in error messages.
    public var source: String

    private struct File: Codable {
        var roles: [String: [String]]?
        var serviceAccounts: [String: ServiceAccount]?
        var signingKey: String?

        enum CodingKeys: String, CodingKey {
            case roles, serviceAccounts = "service_accounts", signingKey = "signing_key"
        }
    }

    public init(roles: [String: [RegistryRole]], serviceAccounts: [String: ServiceAccount], signingKey: URL?, source: String) {
        self.roles = roles
        self.serviceAccounts = serviceAccounts
        self.signingKey = signingKey
        self.source = source
    }

    /// The config to use: `explicit`, else `$QUENCH_REGISTRY_CONFIG`, else `configs/registry.yaml` here.
    public static func location(explicit: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit { return explicit }
        if let path = environment["QUENCH_REGISTRY_CONFIG"], !path.isEmpty { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("configs/registry.yaml")
    }

    /// Reads and validates the YAML file at `url`; unknown roles are errors that list the known ones.
    public static func load(from url: URL) throws -> RegistryConfig {
        let text: String
        do {
            text = try RegularFile.text(of: url.path, limit: 1 << 20)
        } catch {
            throw RegistryError.configUnreadable(path: url.path, reason: error.reason)
        }
        let file: File
        do {
            file = try YAMLDecoder().decode(File.self, from: text)
        } catch {
            throw RegistryError.configInvalid(path: url.path, key: "(file)", reason: String(describing: error))
        }
        var roles: [String: [RegistryRole]] = [:]
        for (user, names) in file.roles ?? [:] {
            roles[user] = try names.map { name in
                guard let role = RegistryRole(rawValue: name) else {
                    let known = RegistryRole.allCases.map(\.rawValue).joined(separator: ", ")
                    throw RegistryError.configInvalid(path: url.path, key: "roles.\(user)", reason: "unknown role '\(name)'; known roles: \(known)")
                }
                return role
            }
        }
        let key = file.signingKey.map { path in
            URL(fileURLWithPath: (path as NSString).expandingTildeInPath, relativeTo: url.deletingLastPathComponent())
                .standardizedFileURL
        }
        return RegistryConfig(roles: roles, serviceAccounts: file.serviceAccounts ?? [:], signingKey: key, source: url.path)
    }

    /// True when `user` holds any of `roles`.
    public func user(_ user: String, holdsAnyOf wanted: [RegistryRole]) -> Bool {
        (roles[user] ?? []).contains { wanted.contains($0) }
    }
}
