import Foundation
import QuenchConfig

/// What `configs/hub.yaml` sets, read in one pass that records every problem with its line and key;
/// a setting the file leaves out holds its built-in default.
struct HubSettings {
    /// The file's endpoint; nil for the public hub.
    var endpoint: URL?
    var allowedHosts = ["huggingface.co", "*.huggingface.co", "*.hf.co"]
    var tokenCommand: [String] = []
    var tokenCommandSeconds = TokenSource.defaultCommandTimeoutSeconds
    var curl = CurlSettings()
    var retry = RetryPolicy()
    var maxFileSize = HubConfiguration.defaultMaxFileSize

    /// The built-in defaults for the public hub.
    init() {}

    /// The settings of the file `root`. Its endpoint is checked even when `HF_ENDPOINT` replaces it,
    /// so a bad one is refused now rather than on the first run without the variable.
    init(_ r: inout ConfigReader, root node: ConfigNode?) {
        typealias R = ConfigReader
        let root = r.root(node)
        if case .present(let entry) = r.lookup("endpoint", in: root) {
            readEndpoint(&r, entry)
        }
        allowedHosts = Self.words(&r, "allowed_hosts", in: root, expected: "a list of host names") ?? allowedHosts
        tokenCommand = Self.words(&r, "token_command", in: root, expected: "a command as a list of words") ?? []
        curl.caBundle = r.optional("ca_bundle", in: root, absent: nil, expected: "a path", requirement: .nonEmpty, R.text)

        let timeouts = r.section("timeouts", in: root)
        curl.connectTimeoutSeconds = r.value("connect_seconds", in: timeouts, default: curl.connectTimeoutSeconds,
                                             expected: "a whole number of seconds", requirement: .atLeast(1), R.integer)
        curl.lowSpeedBytesPerSecond = r.value("low_speed_bytes_per_second", in: timeouts,
                                              default: curl.lowSpeedBytesPerSecond, expected: "a whole number",
                                              requirement: .atLeast(0), R.integer)
        curl.lowSpeedSeconds = r.value("low_speed_seconds", in: timeouts, default: curl.lowSpeedSeconds,
                                       expected: "a whole number of seconds", requirement: .atLeast(1), R.integer)
        tokenCommandSeconds = r.value("token_command_seconds", in: timeouts, default: tokenCommandSeconds,
                                      expected: "a number of seconds",
                                      requirement: Requirement(text: "must be more than 0 and at most 3600 seconds",
                                                               isMet: { $0 > 0 && $0 <= 3600 }), R.number)

        let retries = r.section("retries", in: root)
        retry.attempts = r.value("attempts", in: retries, default: retry.attempts, expected: "a whole number",
                                 requirement: .within(1...20), R.integer)
        retry.baseDelaySeconds = r.value("base_delay_seconds", in: retries, default: retry.baseDelaySeconds,
                                         expected: "a number of seconds", requirement: .nonNegative, R.number)
        retry.maxDelaySeconds = r.value("max_delay_seconds", in: retries, default: retry.maxDelaySeconds,
                                        expected: "a number of seconds", requirement: .nonNegative, R.number)

        let limits = r.section("limits", in: root)
        let gib = r.optional("max_file_gib", in: limits, absent: nil, expected: "a number of GiB",
                             requirement: Requirement(text: "must be more than 0 and at most 1048576 (GiB)",
                                                      isMet: { $0 > 0 && $0 <= 1_048_576 }), R.number)
        if let gib { maxFileSize = max(1, Int64(gib * Double(1 << 30))) }
    }

    /// The file's endpoint, refused (without repeating a credential it carries) unless it is an https
    /// URL with a host.
    private mutating func readEndpoint(_ r: inout ConfigReader, _ entry: ConfigReader.Entry) {
        guard case .scalar(let scalar) = entry.node, !scalar.string.isEmpty else {
            r.report(.wrongType(expected: "an https URL", found: ConfigReader.describe(entry.node)), key: "endpoint",
                     at: entry.place)
            return
        }
        do {
            endpoint = try HubConfiguration.endpoint(scalar.string, source: r.file, key: "endpoint")
        } catch HubError.invalidConfiguration(_, _, let reason) {
            r.report(.refused(reason: reason), key: "endpoint", at: entry.place)
        } catch {
            r.report(.refused(reason: "\(error)"), key: "endpoint", at: entry.place)
        }
    }

    /// A list of non-empty words under `key`, or nil when absent.
    private static func words(_ r: inout ConfigReader, _ key: String, in section: ConfigReader.Section,
                              expected: String) -> [String]? {
        guard let list = r.list(key, in: section, expected: expected) else { return nil }
        return list.items.compactMap { item in
            r.parse(ConfigReader.Entry(node: item, place: ConfigPlace(item, orElse: list.place)), key: key,
                    expected: "a word", requirement: .nonEmpty, ConfigReader.text)
        }
    }
}
