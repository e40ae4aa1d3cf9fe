import Foundation

/// The one spelling of a registry's address, so `https://Registry.example:443/` and
/// `https://registry.example` share one pinned key and one witnessed log.
public enum RegistryURL {
    /// Scheme and host in lower case, the scheme's default port dropped, no trailing `/`, and no user,
    /// password, query or fragment (nothing secret ends up in a file name or a state file).
    public static func normalized(_ url: URL) -> String {
        guard let parts = URLComponents(url: url, resolvingAgainstBaseURL: false) else { return url.absoluteString }
        let scheme = (parts.scheme ?? "").lowercased()
        var host = parts.host?.lowercased() ?? ""
        if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
        var text = "\(scheme)://\(host)"
        if let port = parts.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) {
            text += ":\(port)"
        }
        var path = parts.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        return text + path
    }

    /// The registry server a `--registry` option (`explicit`) or `QUENCH_REGISTRY_URL` names; nil means the
    /// embedded registry.
    public static func configured(explicit: String?, environment: [String: String]) -> String? {
        if let explicit, !explicit.isEmpty { return explicit }
        return environment["QUENCH_REGISTRY_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
