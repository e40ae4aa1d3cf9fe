import Foundation
import QuenchConfig
import QuenchSecurity

/// Everything the downloader needs to know about the hub: read from `configs/hub.yaml`, then the
/// huggingface_hub environment variables (`HF_ENDPOINT`, `HF_HOME`, `HF_HUB_CACHE`, `HF_HUB_OFFLINE`,
/// `HF_TOKEN`, `HF_TOKEN_PATH`) and `QUENCH_CA_BUNDLE`, so Quench and Python tools share one cache.
public struct HubConfiguration: Sendable, Equatable {
    public var endpoint: URL
    public var allowedHosts: HostAllowList
    public var curl: CurlSettings
    public var retry: RetryPolicy
    /// The hub cache root (`models--org--name` folders live here).
    public var cacheDirectory: URL
    /// `HF_HUB_OFFLINE=1`: resolve from the cache only, never touch the network.
    public var offline: Bool
    public var tokenSource: TokenSource
    /// The largest file a revision listing may declare (`limits.max_file_gib`): a bigger one is
    /// refused before any byte is downloaded.
    public var maxFileSize: Int64

    /// The default `maxFileSize`: 64 GiB, above any small model's weights, far below what would fill
    /// a disk by mistake or by a hostile hub.
    public static let defaultMaxFileSize: Int64 = 64 << 30

    public init(endpoint: URL, allowedHosts: HostAllowList, curl: CurlSettings, retry: RetryPolicy,
                cacheDirectory: URL, offline: Bool, tokenSource: TokenSource, maxFileSize: Int64 = defaultMaxFileSize) {
        self.endpoint = endpoint
        self.allowedHosts = allowedHosts
        self.curl = curl
        self.retry = retry
        self.cacheDirectory = cacheDirectory
        self.offline = offline
        self.tokenSource = tokenSource
        self.maxFileSize = maxFileSize
    }

    /// The public Hugging Face hub, used when neither the file nor `HF_ENDPOINT` names another.
    static let publicHub = "https://huggingface.co"

    /// The keys of `configs/hub.yaml`, by section: a misspelt one is refused, never left at its default.
    static let schema: [String: [String]] = [
        "": ["endpoint", "allowed_hosts", "token_command", "ca_bundle", "timeouts", "retries", "limits"],
        "timeouts": ["connect_seconds", "low_speed_bytes_per_second", "low_speed_seconds", "token_command_seconds"],
        "retries": ["attempts", "base_delay_seconds", "max_delay_seconds"],
        "limits": ["max_file_gib"],
    ]

    /// The hub settings file to read: `explicit` (a `--config` option), else `$QUENCH_HUB_CONFIG`, else
    /// `configs/hub.yaml` when the current folder has one; nil means the built-in defaults.
    public static func settingsFile(explicit: String? = nil,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let path = environment["QUENCH_HUB_CONFIG"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let local = URL(fileURLWithPath: "configs/hub.yaml")
        return FileManager.default.fileExists(atPath: local.path) ? local : nil
    }

    /// Reads `file` (nil: built-in defaults for the public hub) and applies the environment on top.
    /// - Throws: `ConfigFileError` for a file that cannot be read or holds problems (all of them, each
    ///   with its line and key); `HubError.invalidConfiguration` for an environment variable.
    public static func load(from file: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HubConfiguration {
        var settings = HubSettings()
        if let file {
            settings = try ConfigDocument(contentsOf: file.path).read(schema: schema) { reader, root in
                HubSettings(&reader, root: root)
            }
        }
        let environmentToken = environment["HF_TOKEN"].flatMap(HubToken.init)
        let endpoint = try environment["HF_ENDPOINT"].map { try Self.endpoint($0, source: "environment", key: "HF_ENDPOINT") }
            ?? settings.endpoint ?? Self.endpoint(Self.publicHub, source: "built-in default", key: "endpoint")

        let home = FileManager.default.homeDirectoryForCurrentUser
        let cacheHome = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".cache")
        let hfHome = environment["HF_HOME"].map { URL(fileURLWithPath: $0) } ?? cacheHome.appendingPathComponent("huggingface")
        let cache = environment["HF_HUB_CACHE"].map { URL(fileURLWithPath: $0) } ?? hfHome.appendingPathComponent("hub")
        let tokenFile = environment["HF_TOKEN_PATH"].map { URL(fileURLWithPath: $0) } ?? hfHome.appendingPathComponent("token")
        let offline = ["1", "true", "yes", "on"].contains(environment["HF_HUB_OFFLINE"]?.lowercased() ?? "")

        var curl = settings.curl
        if let bundle = environment["QUENCH_CA_BUNDLE"] { curl.caBundle = bundle }
        return HubConfiguration(
            endpoint: endpoint, allowedHosts: HostAllowList(settings.allowedHosts), curl: curl, retry: settings.retry,
            cacheDirectory: cache, offline: offline,
            tokenSource: TokenSource(environmentToken: environmentToken, tokenFile: tokenFile,
                                     tokenCommand: settings.tokenCommand,
                                     tokenCommandTimeoutSeconds: settings.tokenCommandSeconds),
            maxFileSize: settings.maxFileSize)
    }

    /// The endpoint `text` names (`key` in `source`): an https URL with a host and without a user name
    /// or password. A credential in the URL would travel into every error, log line and run record that
    /// names a URL, so it is refused, and the message never repeats it.
    static func endpoint(_ text: String, source: String, key: String) throws -> URL {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), url.host != nil else {
            throw HubError.invalidConfiguration(file: source, key: key, reason: "must be an https URL with a host")
        }
        if url.user != nil || url.password != nil {
            for part in [url.user, url.password].compactMap({ $0 }) { KnownSecrets.register(part) }
            throw HubError.invalidConfiguration(
                file: source, key: key,
                reason: "carries a user name or password (\(RedirectPolicy.withoutUserInfo(url))); remove it and give the "
                    + "token through HF_TOKEN, the token file (mode 600) or token_command instead")
        }
        guard url.scheme?.lowercased() == "https" else {
            throw HubError.invalidConfiguration(file: source, key: key, reason: "must be an https URL, found \(url.absoluteString)")
        }
        return url
    }
}
