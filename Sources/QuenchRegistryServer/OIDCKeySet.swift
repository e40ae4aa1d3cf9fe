import Foundation
import JWTKit
import NIOPosix
import QuenchFiles
import QuenchHub

/// The OIDC issuer's signing keys, from its JSON Web Key Set: read at start, and read again when a token
/// names a key the set lacks (the issuer rotated its keys), at most once per `refreshInterval` so made-up
/// key ids cannot make the server hammer the issuer. Reads run on NIO's shared thread pool, never on the
/// Swift cooperative pool.
actor OIDCKeySet {
    /// A key set is a few kilobytes; a larger answer is not one.
    static let maximumBytes = 1 << 20
    /// How often, at most, an unknown key id makes the server read the key set again.
    static let defaultRefreshInterval: Duration = .seconds(600)

    private let source: OIDCSettings.KeySource
    private let transport: CurlTransport
    private let refreshInterval: Duration
    private var collection: JWTKeyCollection
    /// Each key's signing algorithm, by key id.
    private var algorithms: [String: String]
    private var loadedAt: ContinuousClock.Instant

    /// Reads the key set at `source` (an https URL trusting the system CAs plus `caBundle`).
    /// - Throws: `RegistryServerError` naming the file or URL and what is wrong with it.
    init(source: OIDCSettings.KeySource, caBundle: URL?, refreshInterval: Duration = defaultRefreshInterval) async throws {
        self.source = source
        transport = CurlTransport(settings: CurlSettings(caBundle: caBundle?.path))
        self.refreshInterval = refreshInterval
        let loaded = try await Self.load(source, transport: transport)
        collection = loaded.collection
        algorithms = loaded.algorithms
        loadedAt = .now
    }

    /// The keys that verify a token signed by key `kid` with `algorithm`; nil when the issuer has no such key
    /// (after reading the set again if the interval allows) or the key is for another algorithm.
    func keys(forKeyID kid: String, algorithm: String) async -> JWTKeyCollection? {
        if algorithms[kid] == nil, ContinuousClock.now - loadedAt >= refreshInterval {
            loadedAt = .now
            do {
                let loaded = try await Self.load(source, transport: transport)
                collection = loaded.collection
                algorithms = loaded.algorithms
            } catch {
                _ = StandardStream.error.write("quench registry: kept the OIDC keys read before: \(error)\n")
            }
        }
        guard algorithms[kid] == algorithm else { return nil }
        return collection
    }

    /// The key set at `source` and each key's algorithm.
    private static func load(_ source: OIDCSettings.KeySource,
                             transport: CurlTransport) async throws -> (collection: JWTKeyCollection, algorithms: [String: String]) {
        let data = try await NIOThreadPool.singleton.runIfActive { try read(source, transport: transport) }
        return try await keys(from: data, source: source.description)
    }

    /// The bytes of the key set: the file, or the answer of a GET on the URL (200 only, certificate verified).
    private static func read(_ source: OIDCSettings.KeySource, transport: CurlTransport) throws -> Data {
        switch source {
        case .file(let url):
            do throws(RegularFile.Failure) {
                return try RegularFile.contents(of: url.path, limit: maximumBytes)
            } catch {
                throw RegistryServerError.jwksUnreadable(source: url.path, reason: error.reason)
            }
        case .url(let url):
            let sink = MemorySink(url: url, limit: maximumBytes)
            let head: HTTPResponseHead
            do {
                head = try transport.perform(HTTPRequest(url: url, headers: [("Accept", "application/json")]), into: sink)
            } catch {
                throw RegistryServerError.jwksUnreadable(source: url.absoluteString, reason: "\(error)")
            }
            guard head.status == 200 else {
                throw RegistryServerError.jwksUnreadable(source: url.absoluteString, reason: "the server answered HTTP \(head.status), expected 200")
            }
            return sink.data
        }
    }

    /// The signing keys of a JWKS document. Keys marked for another use than signatures are passed over;
    /// a key without `kid`, a repeated `kid`, a private key or a key jwt-kit cannot verify with is refused.
    private static func keys(from data: Data, source: String) async throws -> (collection: JWTKeyCollection, algorithms: [String: String]) {
        func invalid(_ reason: String) -> RegistryServerError { .jwksInvalid(source: source, reason: reason) }
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = document["keys"] as? [[String: Any]] else {
            throw invalid("expected a JSON object whose \"keys\" is a list of keys")
        }
        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        for (index, entry) in entries.enumerated() {
            if let use = entry["use"] as? String, use != "sig" { continue }
            guard let kid = entry["kid"] as? String, !kid.isEmpty else { throw invalid("key \(index + 1) has no \"kid\"") }
            guard algorithms[kid] == nil else { throw invalid("two keys have the kid '\(kid)'") }
            guard entry["d"] == nil else { throw invalid("key '\(kid)' holds a private key; publish only public keys") }
            var jwk: JWK
            do {
                jwk = try JSONDecoder().decode(JWK.self, from: JSONSerialization.data(withJSONObject: entry))
            } catch {
                throw invalid("key '\(kid)' is not a signing key (kty RSA, EC with P-256/P-384/P-521, or OKP with Ed25519; "
                    + "alg RS*, PS*, ES* or EdDSA)")
            }
            guard let algorithm = jwk.algorithm ?? defaultAlgorithm(of: jwk), algorithm != .rsaOAEP else {
                throw invalid("key '\(kid)' names no signing algorithm and its kty '\(jwk.keyType.rawValue)' implies none")
            }
            jwk.algorithm = algorithm
            do {
                try await collection.add(jwk: jwk)
                _ = try await collection.getKey(for: JWKIdentifier(string: kid))
            } catch {
                throw invalid("key '\(kid)' cannot verify \(algorithm.rawValue) signatures: \(error)")
            }
            algorithms[kid] = algorithm.rawValue
        }
        guard !algorithms.isEmpty else { throw invalid("it holds no signing key") }
        return (collection, algorithms)
    }

    /// The algorithm a key without `alg` is used with: RS256 for RSA, ES256/384/512 by EC curve, EdDSA for OKP.
    /// Fixing it when the set is read keeps a token's header from choosing it.
    private static func defaultAlgorithm(of jwk: JWK) -> JWK.Algorithm? {
        switch (jwk.keyType.rawValue, jwk.curve?.rawValue) {
        case ("RSA", _): return .rs256
        case ("EC", "P-256"): return .es256
        case ("EC", "P-384"): return .es384
        case ("EC", "P-521"): return .es512
        case ("OKP", _): return .eddsa
        default: return nil
        }
    }
}
