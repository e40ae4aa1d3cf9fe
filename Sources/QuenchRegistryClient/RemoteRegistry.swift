import Foundation
import QuenchFiles
import QuenchHub
import QuenchRegistry

/// A registry server reached over HTTPS (plain http only to this machine), acting as the token's user:
/// the `RegistryService` the CLI and `quench run` use with `--registry URL` or `QUENCH_REGISTRY_URL`.
///
/// Every call first witnesses the server's audit log (`AuditWitness`: the pinned key, the last checkpoint
/// this client saw, a consistency proof to the new one), and a state change witnesses it again after, so a
/// log truncated or rewritten by whoever runs the server stops the client loudly. Synchronous: call it from
/// a thread of your own, never from a task on the Swift cooperative pool.
public final class RemoteRegistry: RegistryService, Sendable {
    /// The registry's normalized URL.
    public let url: String
    /// This client's memory of the server's audit log and key.
    public let witness: AuditWitness
    let http: RegistryHTTP

    /// A client of the registry at `url` presenting `token`, witnessing with `witness`, over `transport`.
    public init(url: URL, token: HubToken, witness: AuditWitness, transport: any HTTPTransport) {
        self.url = RegistryURL.normalized(url)
        self.witness = witness
        http = RegistryHTTP(base: self.url, token: token, transport: transport)
    }

    /// The client the environment sets up for the registry at `text`: the token from `QUENCH_REGISTRY_TOKEN`
    /// or `QUENCH_REGISTRY_TOKEN_FILE`, TLS verified against the system CAs plus `QUENCH_REGISTRY_CA_BUNDLE`,
    /// the witness state under `XDG_STATE_HOME` (the key pinned from `QUENCH_REGISTRY_PUBLIC_KEY` when set).
    public static func connect(_ text: String, environment: [String: String]) throws -> RemoteRegistry {
        let url = try checkedURL(text)
        let normalized = RegistryURL.normalized(url)
        let token = try RegistryToken.load(environment: environment, for: normalized)
        let caBundle = environment["QUENCH_REGISTRY_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }
        let transport = CurlTransport(settings: CurlSettings(caBundle: caBundle, plainHTTPOnLoopback: true))
        return RemoteRegistry(
            url: url, token: token, witness: try AuditWitness.forRegistry(url, environment: environment), transport: transport)
    }

    /// `text` as a registry URL: http or https, a host, and no credentials, query or fragment (a secret in a
    /// URL would end up in argv, logs and the witness file name). Plain http to another host is refused by
    /// the transport before anything is sent.
    public static func checkedURL(_ text: String) throws(RegistryClientError) -> URL {
        guard let parts = URLComponents(string: text), let url = parts.url else { throw .invalidURL(url: text, reason: "it does not parse") }
        guard let scheme = parts.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw .invalidURL(url: text, reason: "the scheme must be https (or http to this machine)")
        }
        guard let host = parts.host, !host.isEmpty else { throw .invalidURL(url: text, reason: "it names no host") }
        guard parts.user == nil, parts.password == nil else {
            throw .invalidURL(url: scheme + "://" + host, reason: "it carries credentials; give the token in QUENCH_REGISTRY_TOKEN or QUENCH_REGISTRY_TOKEN_FILE")
        }
        guard parts.query == nil, parts.fragment == nil else { throw .invalidURL(url: text, reason: "it has a query or a fragment") }
        return url
    }

    public func list(name: String?) throws -> [ModelVersion] {
        try witnessed {
            guard let name else { return try http.get([ModelVersion].self, "/v1/versions") }
            return try http.get([ModelVersion].self, "\(Self.model(name))/versions")
        }
    }

    public func show(_ reference: VersionReference) throws -> ModelVersion {
        try witnessed { try fetch(reference) }
    }

    public func aliasHistory(name: String) throws -> [AliasMove] {
        try witnessed { try http.get([AliasMove].self, "\(Self.model(name))/aliases") }
    }

    public func approve(_ reference: VersionReference, note: String?) throws -> ModelVersion {
        try decide(reference, "approve", note: note)
    }

    public func reject(_ reference: VersionReference, note: String?) throws -> ModelVersion {
        try decide(reference, "reject", note: note)
    }

    public func archive(_ reference: VersionReference, note: String?) throws -> ModelVersion {
        try decide(reference, "archive", note: note)
    }

    /// Promotes only while the alias still holds the version this client read just before, so of two
    /// concurrent promotions one wins and the other is refused with `alias_moved` instead of overriding it.
    public func promote(_ reference: VersionReference, to alias: ModelAlias) throws -> AliasMove {
        try changing {
            let moves = try http.get([AliasMove].self, "\(Self.model(reference.name))/aliases")
            let holder = moves.last { $0.alias == alias }?.version
            return try http.send(
                AliasMove.self, .post, "\(Self.model(reference.name))/aliases/\(alias.rawValue)",
                json: PromoteBody(version: reference.version, expectedHolder: holder))
        }
    }

    public func rollback(name: String, alias: ModelAlias) throws -> AliasMove {
        try changing {
            try http.send(AliasMove.self, .post, "\(Self.model(name))/aliases/\(alias.rawValue)/rollback", json: RegistryHTTP.Empty())
        }
    }

    /// The server's ML-BOM: it names the server's Quench version, not `quenchVersion`.
    public func bom(_ reference: VersionReference, quenchVersion: String) throws -> JSONValue {
        try witnessed { try http.get(JSONValue.self, "\(Self.path(reference))/bom") }
    }

    /// The whole audit log, oldest first, read a page at a time.
    public func auditLog() throws -> [AuditEntry] {
        try witnessed { try fetchAuditLog() }
    }

    // MARK: Helpers

    /// The body of approve, reject and archive.
    struct NoteBody: Encodable {
        var note: String?
    }

    /// The body of a promotion: `expected_holder` always sent, null when the alias is unset.
    struct PromoteBody: Encodable {
        var version: Int
        var expectedHolder: Int?

        enum CodingKeys: String, CodingKey { case version, expectedHolder = "expected_holder" }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(version, forKey: .version)
            try container.encode(expectedHolder, forKey: .expectedHolder)
        }
    }

    private func decide(_ reference: VersionReference, _ decision: String, note: String?) throws -> ModelVersion {
        try changing { try http.send(ModelVersion.self, .post, "\(Self.path(reference))/\(decision)", json: NoteBody(note: note)) }
    }

    func fetch(_ reference: VersionReference) throws(RegistryClientError) -> ModelVersion {
        try http.get(ModelVersion.self, Self.path(reference))
    }

    func fetchAuditLog() throws(RegistryClientError) -> [AuditEntry] {
        let page = 10_000
        var entries: [AuditEntry] = []
        while true {
            let after = entries.last?.seq ?? 0
            let next = try http.get([AuditEntry].self, "/v1/audit/log?after=\(after)&limit=\(page)")
            if let first = next.first, first.seq <= after {
                throw .malformedAnswer(url: url, reason: "GET /v1/audit/log?after=\(after) answered entry \(first.seq)")
            }
            entries += next
            if next.count < page { return entries }
        }
    }

    /// `/v1/models/{name}`.
    static func model(_ name: String) -> String { "/v1/models/\(RegistryHTTP.segment(name))" }

    /// `/v1/models/{name}/versions/{v}`.
    static func path(_ reference: VersionReference) -> String { "\(model(reference.name))/versions/\(reference.version)" }
}
