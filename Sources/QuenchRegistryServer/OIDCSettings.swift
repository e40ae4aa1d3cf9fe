import Foundation
import QuenchConfig
import QuenchRegistry

/// The `oidc` section of `server.yaml`: which issuer's JWTs the server accepts (CI jobs), for which
/// audience, where its keys are, and the rules that turn a token's claims into roles.
public struct OIDCSettings: Sendable, Equatable {
    /// Where the issuer's JSON Web Key Set is.
    public enum KeySource: Sendable, Equatable, CustomStringConvertible {
        /// A JWKS file on the server.
        case file(URL)
        /// The issuer's https JWKS endpoint, fetched with certificate verification.
        case url(URL)

        public var description: String {
            switch self {
            case .file(let url): return url.path
            case .url(let url): return url.absoluteString
            }
        }
    }

    /// Gives `roles` to a token whose string claim `claim` is exactly `equals`.
    public struct RoleRule: Sendable, Equatable {
        public var claim: String
        public var equals: String
        public var roles: [RegistryRole]

        public init(claim: String, equals: String, roles: [RegistryRole]) {
            self.claim = claim
            self.equals = equals
            self.roles = roles
        }
    }

    /// The exact `iss` a token must carry.
    public var issuer: String
    /// A value the token's `aud` must contain.
    public var audience: String
    public var jwks: KeySource
    /// Extra trusted CAs (PEM) for an https `jwks` behind a private CA; nil uses the system store.
    public var caBundle: URL?
    /// The claim naming the identity, which is `oidc:<its value>`.
    public var nameClaim: String
    public var rules: [RoleRule]

    public init(issuer: String, audience: String, jwks: KeySource, caBundle: URL? = nil, nameClaim: String = "sub",
                rules: [RoleRule]) {
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.caBundle = caBundle
        self.nameClaim = nameClaim
        self.rules = rules
    }

    /// The roles `claims` earn: the union of every matching rule's roles, sorted; empty when no rule matches.
    public func roles(for claims: [String: String]) -> [RegistryRole] {
        let earned = Set(rules.filter { claims[$0.claim] == $0.equals }.flatMap(\.roles))
        return earned.sorted { $0.rawValue < $1.rawValue }
    }

    /// Reads the `oidc` section; relative paths are taken from `directory` (the server's home).
    static func read(_ r: inout ConfigReader, in section: ConfigReader.Section, directory: URL) -> OIDCSettings {
        typealias R = ConfigReader
        let issuer = required("issuer", in: section, &r, expected: "the issuer URL tokens carry in 'iss'")
        let audience = required("audience", in: section, &r, expected: "the audience tokens must name in 'aud'")
        let jwksText = required("jwks", in: section, &r, expected: "an https URL or a file path")
        let jwks = keySource(jwksText, &r, in: section, directory: directory)
        let caBundle = r.optional("ca_bundle", in: section, absent: nil, expected: "a path", requirement: .nonEmpty, R.text)
            .map { resolved($0, in: directory) }
        if caBundle != nil, case .file = jwks {
            r.report(.invalidValue(requirement: "applies only to an https jwks", found: "jwks is a file"),
                     key: R.join(section.relative, "ca_bundle"), at: r.places[R.join(section.relative, "ca_bundle")] ?? section.place)
        }
        let nameClaim = r.value("name_claim", in: section, default: "sub", expected: "a claim name", requirement: .nonEmpty, R.text)
        return OIDCSettings(issuer: issuer, audience: audience, jwks: jwks, caBundle: caBundle, nameClaim: nameClaim,
                            rules: readRules(&r, in: section))
    }

    /// The text under `key`, reported as missing when absent.
    private static func required(_ key: String, in section: ConfigReader.Section, _ r: inout ConfigReader,
                                 expected: String) -> String {
        if section.mapping != nil, !r.isPresent(key, in: section) {
            r.report(.missing, key: ConfigReader.join(section.relative, key), at: section.place)
        }
        return r.value(key, in: section, default: "", expected: expected, requirement: .nonEmpty, ConfigReader.text)
    }

    /// `jwks`: an https URL, or a path. Plain http is refused: whoever sits on the network could hand the
    /// server their own keys.
    private static func keySource(_ text: String, _ r: inout ConfigReader, in section: ConfigReader.Section,
                                  directory: URL) -> KeySource {
        let key = ConfigReader.join(section.relative, "jwks")
        let lowered = text.lowercased()
        if lowered.hasPrefix("https://") {
            if let url = URL(string: text), url.host?.isEmpty == false { return .url(url) }
            r.report(.invalidValue(requirement: "must be a valid https URL", found: "'\(text)'"), key: key,
                     at: r.places[key] ?? section.place)
        } else if lowered.contains("://") {
            r.report(.invalidValue(requirement: "must be an https URL or a file path (keys fetched in clear could be replaced)",
                                   found: "'\(text)'"),
                     key: key, at: r.places[key] ?? section.place)
        }
        return .file(resolved(text, in: directory))
    }

    /// `path` (`~` expanded), taken from `directory` when relative.
    private static func resolved(_ path: String, in directory: URL) -> URL {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded) : directory.appendingPathComponent(expanded)
        return url.standardizedFileURL
    }

    /// `rules`: at least one `{claim, equals, roles}`.
    private static func readRules(_ r: inout ConfigReader, in section: ConfigReader.Section) -> [RoleRule] {
        typealias R = ConfigReader
        let key = R.join(section.relative, "rules")
        guard let list = r.list("rules", in: section, expected: "a list of rules ({claim, equals, roles})") else {
            if section.mapping != nil { r.report(.missing, key: key, at: section.place) }
            return []
        }
        if list.items.isEmpty {
            r.report(.invalidValue(requirement: "must give at least one rule, or no token earns a role", found: "an empty list"),
                     key: key, at: list.place)
        }
        var rules: [RoleRule] = []
        for item in list.items {
            let s = r.open(item, relative: key, place: ConfigPlace(item, orElse: list.place))
            guard s.mapping != nil else { continue }
            let claim = required("claim", in: s, &r, expected: "a claim name")
            let equals = required("equals", in: s, &r, expected: "the claim's exact value")
            guard let roleList = r.list("roles", in: s, expected: "a list of roles") else {
                r.report(.missing, key: R.join(key, "roles"), at: s.place)
                continue
            }
            let roles = roleList.items.compactMap { node in
                r.parse(R.Entry(node: node, place: ConfigPlace(node, orElse: roleList.place)), key: R.join(key, "roles"),
                        expected: R.choices(RegistryRole.self), requirement: .any, RegistryRole.init(rawValue:))
            }
            if roleList.items.isEmpty {
                r.report(.invalidValue(requirement: "must name at least one role", found: "an empty list"), key: R.join(key, "roles"),
                         at: roleList.place)
            }
            rules.append(RoleRule(claim: claim, equals: equals, roles: roles))
        }
        return rules
    }
}
