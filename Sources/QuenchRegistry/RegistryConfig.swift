import Foundation
import QuenchConfig
import QuenchSecurity

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

    /// The keys of the file; the user and account names under `roles` and `service_accounts` are free-form.
    static let schema: [String: [String]] = [
        "": ["roles", "service_accounts", "signing_key"],
        "service_accounts.*": ["run_by"],
    ]

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

    /// Reads and validates the YAML file at `url`; an unknown role names the known ones.
    /// - Throws: `RegistryError.configUnreadable` (which says how to name another file) for a file that
    ///   cannot be read, else `ConfigFileError` with every problem, its line and key.
    public static func load(from url: URL) throws -> RegistryConfig {
        let document: ConfigDocument
        do throws(ConfigFileError) {
            document = try ConfigDocument(contentsOf: url.path)
        } catch .unreadable(let path, let reason) {
            throw RegistryError.configUnreadable(path: path, reason: reason)
        } catch {
            throw error
        }
        return try document.read(schema: schema) { r, node in
            let root = r.root(node)
            let signingKey = r.optional("signing_key", in: root, absent: nil, expected: "a path", requirement: .nonEmpty,
                                        ConfigReader.text).map { path in
                URL(fileURLWithPath: (path as NSString).expandingTildeInPath, relativeTo: url.deletingLastPathComponent())
                    .standardizedFileURL
            }
            return RegistryConfig(roles: readRoles(&r, in: root), serviceAccounts: readServiceAccounts(&r, in: root),
                                  signingKey: signingKey, source: url.path)
        }
    }

    /// `roles`: each user's list of roles.
    private static func readRoles(_ r: inout ConfigReader, in root: ConfigReader.Section) -> [String: [RegistryRole]] {
        var roles: [String: [RegistryRole]] = [:]
        for (user, list) in r.namedEntries("roles", in: root, expected: "a mapping of user names to roles") {
            let key = "roles.\(user)"
            guard case .sequence(let items) = list.node else {
                r.report(.wrongType(expected: "a list of roles", found: ConfigReader.describe(list.node)), key: key,
                         at: list.place)
                continue
            }
            roles[user] = items.compactMap { item in
                r.parse(ConfigReader.Entry(node: item, place: ConfigPlace(item, orElse: list.place)), key: key,
                        expected: ConfigReader.choices(RegistryRole.self), requirement: .any, RegistryRole.init(rawValue:))
            }
        }
        return roles
    }

    /// `service_accounts`: each account's `run_by` list of OS users.
    private static func readServiceAccounts(_ r: inout ConfigReader,
                                            in root: ConfigReader.Section) -> [String: ServiceAccount] {
        var accounts: [String: ServiceAccount] = [:]
        for (name, entry) in r.namedEntries("service_accounts", in: root, expected: "a mapping of account names") {
            let account = r.open(entry.node, relative: "service_accounts.\(name)", place: entry.place,
                                 schemaKey: "service_accounts.*")
            guard let list = r.list("run_by", in: account, expected: "a list of OS user names") else {
                if account.mapping != nil, !r.isPresent("run_by", in: account) {
                    r.report(.missing, key: "service_accounts.\(name).run_by", at: account.place)
                }
                continue
            }
            let users = list.items.compactMap { item in
                r.parse(ConfigReader.Entry(node: item, place: ConfigPlace(item, orElse: list.place)),
                        key: "service_accounts.\(name).run_by", expected: "a user name", requirement: .nonEmpty,
                        ConfigReader.text)
            }
            accounts[name] = ServiceAccount(runBy: users)
        }
        return accounts
    }

    /// True when `user` holds any of `roles`.
    public func user(_ user: String, holdsAnyOf wanted: [RegistryRole]) -> Bool {
        (roles[user] ?? []).contains { wanted.contains($0) }
    }
}
