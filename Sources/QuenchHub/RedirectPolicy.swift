import Foundation
import QuenchSecurity

/// Hosts Quench may contact: exact names (or IP literals) and `*.domain` for any subdomain of domain.
public struct HostAllowList: Sendable, Equatable {
    public var patterns: [String]

    public init(_ patterns: [String]) { self.patterns = patterns.map { $0.lowercased() } }

    /// Whether `host` matches one of the patterns (case-insensitive).
    public func allows(_ host: String) -> Bool {
        let host = host.lowercased()
        return patterns.contains { pattern in
            if pattern.hasPrefix("*.") { return host.hasSuffix(pattern.dropFirst(1)) && host.count > pattern.count - 1 }
            return host == pattern
        }
    }
}

/// Quench's redirect rules (curl follows none): https only, allowed hosts only, at most five hops, and
/// the token only to the scheme, host and port it was meant for.
public struct RedirectPolicy: Sendable, Equatable {
    /// Hops followed before giving up; the hub needs one (resolve -> CDN), proxies maybe two.
    public static let maximumHops = 5
    public var allowList: HostAllowList

    public init(allowList: HostAllowList) { self.allowList = allowList }

    /// Checks a URL before any request goes to it: https, a host, an allowed host, and no user name or
    /// password (which curl would send, and every error naming the URL would show).
    public func check(_ url: URL) throws {
        if url.user != nil || url.password != nil {
            for part in [url.user, url.password].compactMap({ $0 }) { KnownSecrets.register(part) }
            throw HubError.badRedirect(url: Self.withoutUserInfo(url), reason: "the URL carries a user name or password")
        }
        guard url.scheme?.lowercased() == "https" else { throw HubError.insecureURL(url: url.absoluteString) }
        guard let host = url.host, !host.isEmpty else {
            throw HubError.badRedirect(url: url.absoluteString, reason: "the URL has no host")
        }
        guard allowList.allows(host) else { throw HubError.hostNotAllowed(url: url.absoluteString, host: host) }
    }

    /// The next URL for a redirect answer's `Location`, resolved against the current URL and checked.
    public func next(from current: URL, location: String?) throws -> URL {
        guard let location, !location.isEmpty,
              let target = URL(string: location, relativeTo: current)?.absoluteURL
        else { throw HubError.badRedirect(url: current.absoluteString, reason: "the answer has no usable Location") }
        guard target.scheme?.lowercased() == "https" else {
            throw HubError.badRedirect(url: current.absoluteString, reason: "it leaves https for \(target.scheme ?? "no scheme")")
        }
        try check(target)
        return target
    }

    /// Whether the token may go to `url`: only to the same scheme, host and port as `origin` (the endpoint).
    public func mayCarryToken(to url: URL, origin: URL) -> Bool {
        url.scheme?.lowercased() == origin.scheme?.lowercased()
            && url.host?.lowercased() == origin.host?.lowercased()
            && Self.port(of: url) == Self.port(of: origin)
    }

    /// `url` as text with its user name and password left out, for messages.
    public static func withoutUserInfo(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return "(a URL)" }
        components.user = nil
        components.password = nil
        return components.string ?? "(a URL)"
    }

    private static func port(of url: URL) -> Int { url.port ?? (url.scheme?.lowercased() == "https" ? 443 : 80) }
}
