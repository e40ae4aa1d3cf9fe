import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides who is acting: the OS user, or a service account the config lets that OS user act as.
public enum RegistryActor {
    /// The login name of the effective user, or `$USER` when the password database has none.
    public static func osUser(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            let user = String(cString: name)
            if !user.isEmpty { return user }
        }
        if let user = environment["USER"], !user.isEmpty { return user }
        throw RegistryError.actorUnknown
    }

    /// The actor for this process; `QUENCH_ACTOR` counts only for a listed service account run by this OS user.
    public static func resolve(config: RegistryConfig, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let user = try osUser(environment: environment)
        guard let requested = environment["QUENCH_ACTOR"], !requested.isEmpty, requested != user else { return user }
        guard let account = config.serviceAccounts[requested], account.runBy.contains(user) else {
            throw RegistryError.actorOverrideRefused(requested: requested, osUser: user, config: config.source)
        }
        return requested
    }
}
