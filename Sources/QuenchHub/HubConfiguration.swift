import Foundation
import QuenchFiles
import QuenchSecurity
import Yams

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

    private static let knownKeys: Set<String> = ["endpoint", "allowed_hosts", "token_command", "ca_bundle", "timeouts", "retries",
                                                         "limits"]
    /// The settings each section holds: a misspelt one is refused, never left at its default.
    private static let knownSectionKeys: [String: Set<String>] = [
        "timeouts": ["connect_seconds", "low_speed_bytes_per_second", "low_speed_seconds", "token_command_seconds"],
        "retries": ["attempts", "base_delay_seconds", "max_delay_seconds"],
        "limits": ["max_file_gib"],
    ]

    /// The first key of `keys` (the parsed file) that is not a setting, as "section.key", with the known ones.
    private static func unknownKey(in keys: [String: Any]) -> (key: String, known: Set<String>)? {
        if let unknown = keys.keys.sorted().first(where: { !knownKeys.contains($0) }) { return (unknown, knownKeys) }
        for (section, known) in knownSectionKeys.sorted(by: { $0.key < $1.key }) {
            guard let values = keys[section] as? [String: Any] else { continue }
            if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) { return ("\(section).\(unknown)", known) }
        }
        return nil
    }

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
    public static func load(from file: URL?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> HubConfiguration {
        var settings = HubConfigFile()
        if let file {
            let text: String
            do { text = try RegularFile.text(of: file.path, limit: 1 << 20) } catch {
                throw HubError.invalidConfiguration(file: file.path, key: "(file)", reason: "cannot be read: \(error.reason)")
            }
            if let keys = (try? Yams.load(yaml: text)) as? [String: Any], let unknown = unknownKey(in: keys) {
                throw HubError.invalidConfiguration(file: file.path, key: unknown.key,
                                                    reason: "is not a setting; known: \(unknown.known.sorted().joined(separator: ", "))")
            }
            do { settings = try YAMLDecoder().decode(HubConfigFile.self, from: text) } catch {
                throw HubError.invalidConfiguration(file: file.path, key: "(file)", reason: "does not parse: \(error)")
            }
        }
        let source = file?.path ?? "hub configuration"
        let environmentToken = environment["HF_TOKEN"].flatMap(HubToken.init)
        let endpoint = try environment["HF_ENDPOINT"].map { try Self.endpoint($0, source: "environment", key: "HF_ENDPOINT") }
            ?? Self.endpoint(settings.endpoint ?? "https://huggingface.co", source: source, key: "endpoint")

        let home = FileManager.default.homeDirectoryForCurrentUser
        let cacheHome = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".cache")
        let hfHome = environment["HF_HOME"].map { URL(fileURLWithPath: $0) } ?? cacheHome.appendingPathComponent("huggingface")
        let cache = environment["HF_HUB_CACHE"].map { URL(fileURLWithPath: $0) } ?? hfHome.appendingPathComponent("hub")
        let tokenFile = environment["HF_TOKEN_PATH"].map { URL(fileURLWithPath: $0) } ?? hfHome.appendingPathComponent("token")
        let offline = ["1", "true", "yes", "on"].contains(environment["HF_HUB_OFFLINE"]?.lowercased() ?? "")

        let timeouts = settings.timeouts ?? .init()
        let retries = settings.retries ?? .init()
        let curl = CurlSettings(caBundle: environment["QUENCH_CA_BUNDLE"] ?? settings.ca_bundle,
                                connectTimeoutSeconds: timeouts.connect_seconds ?? 15,
                                lowSpeedBytesPerSecond: timeouts.low_speed_bytes_per_second ?? 1024,
                                lowSpeedSeconds: timeouts.low_speed_seconds ?? 60)
        let retry = RetryPolicy(attempts: retries.attempts ?? 5, baseDelaySeconds: retries.base_delay_seconds ?? 1,
                                maxDelaySeconds: retries.max_delay_seconds ?? 60)
        guard retry.attempts >= 1, retry.attempts <= 20 else {
            throw HubError.invalidConfiguration(file: source, key: "retries.attempts", reason: "must be 1...20, found \(retry.attempts)")
        }
        guard curl.connectTimeoutSeconds > 0, curl.lowSpeedSeconds > 0, curl.lowSpeedBytesPerSecond >= 0 else {
            throw HubError.invalidConfiguration(file: source, key: "timeouts", reason: "must be positive")
        }
        let commandTimeout = timeouts.token_command_seconds ?? TokenSource.defaultCommandTimeoutSeconds
        guard commandTimeout.isFinite, commandTimeout > 0, commandTimeout <= 3600 else {
            throw HubError.invalidConfiguration(file: source, key: "timeouts.token_command_seconds",
                                                reason: "must be more than 0 and at most 3600 seconds, found \(commandTimeout)")
        }
        let maxFileSize = try Self.maxFileSize(gib: settings.limits?.max_file_gib, source: source)
        return HubConfiguration(
            endpoint: endpoint,
            allowedHosts: HostAllowList(settings.allowed_hosts ?? ["huggingface.co", "*.huggingface.co", "*.hf.co"]),
            curl: curl, retry: retry, cacheDirectory: cache, offline: offline,
            tokenSource: TokenSource(environmentToken: environmentToken, tokenFile: tokenFile,
                                     tokenCommand: settings.token_command ?? [], tokenCommandTimeoutSeconds: commandTimeout),
            maxFileSize: maxFileSize)
    }

    /// `limits.max_file_gib` in bytes: more than 0, at most 1 PiB (1048576 GiB); the default when absent.
    private static func maxFileSize(gib: Double?, source: String) throws -> Int64 {
        guard let gib else { return defaultMaxFileSize }
        guard gib.isFinite, gib > 0, gib <= 1_048_576 else {
            throw HubError.invalidConfiguration(file: source, key: "limits.max_file_gib",
                                                reason: "must be more than 0 and at most 1048576 (GiB), found \(gib)")
        }
        return max(1, Int64(gib * Double(1 << 30)))
    }

    /// The endpoint `text` names (`key` in `source`): an https URL with a host and without a user name
    /// or password. A credential in the URL would travel into every error, log line and run record that
    /// names a URL, so it is refused, and the message never repeats it.
    private static func endpoint(_ text: String, source: String, key: String) throws -> URL {
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

/// The YAML file's shape (snake_case keys as written in configs/hub.yaml).
private struct HubConfigFile: Decodable {
    struct Timeouts: Decodable {
        var connect_seconds: Int?
        var low_speed_bytes_per_second: Int?
        var low_speed_seconds: Int?
        var token_command_seconds: Double?
    }
    struct Limits: Decodable {
        var max_file_gib: Double?
    }
    struct Retries: Decodable {
        var attempts: Int?
        var base_delay_seconds: Double?
        var max_delay_seconds: Double?
    }
    var endpoint: String?
    var allowed_hosts: [String]?
    var token_command: [String]?
    var ca_bundle: String?
    var timeouts: Timeouts?
    var retries: Retries?
    var limits: Limits?
}
