import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import QuenchRegistry

/// `quench registry serve`: the registry as an HTTP service whose identities the server authenticates.
public struct RegistryServer: Sendable {
    /// How the server is run.
    public struct Options: Sendable {
        /// The server's state: the database (unless PostgreSQL), the artifacts, the signing key, uploads.
        public var home: URL
        public var listen: ListenAddress
        /// PEM certificate chain and private key; plain HTTP without them (loopback only).
        public var tlsCertificate: URL?
        public var tlsKey: URL?
        /// The largest JSON request body, in bytes.
        public var maxBodyBytes: Int64
        /// The largest uploaded file, in bytes.
        public var maxUploadBytes: Int64
        /// Quench's version, written into ML-BOMs.
        public var quenchVersion: String
        /// How long a web UI session lasts from its sign-in, in seconds (absolute, not extended by use).
        public var sessionLifetime: TimeInterval

        public init(home: URL, listen: ListenAddress, tlsCertificate: URL? = nil, tlsKey: URL? = nil,
                    maxBodyBytes: Int64 = 64 << 20, maxUploadBytes: Int64 = 64 << 30, quenchVersion: String,
                    sessionLifetime: TimeInterval = 1800) {
            self.home = home
            self.listen = listen
            self.tlsCertificate = tlsCertificate
            self.tlsKey = tlsKey
            self.maxBodyBytes = maxBodyBytes
            self.maxUploadBytes = maxUploadBytes
            self.quenchVersion = quenchVersion
            self.sessionLifetime = sessionLifetime
        }
    }

    /// Uploads untouched for this long are removed when the server starts.
    static let staleUploadAge: TimeInterval = 24 * 3600

    let options: Options
    let store: any RegistryStore

    /// A server for `options` over `store` (see `RegistryServerStore.open`).
    public init(options: Options, store: any RegistryStore) {
        self.options = options
        self.store = store
    }

    /// Runs until SIGINT or SIGTERM, then lets requests in flight finish. `listening` is called once
    /// with the base URL (the real port when the listen port is 0) when connections are accepted.
    public func run(listening: @escaping @Sendable (String) -> Void) async throws {
        let tls = try tlsConfiguration()
        guard tls != nil || options.listen.isLoopback else {
            throw RegistryServerError.plainHTTPOffLoopback(options.listen.description)
        }
        guard let documentURL = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
              let document = try? Data(contentsOf: documentURL) else {
            throw RegistryServerError.openAPIDocumentMissing
        }
        let oidc = try await OIDCAuthenticator.configured(home: options.home)
        let registry = try Registry.openServer(home: options.home, store: store)
        let pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
        let worker = RegistryWorker(registry: registry, pool: pool)
        let authenticators: [any Authenticator] = [APITokenAuthenticator(worker: worker)] + (oidc.map { [$0] } ?? [])
        do {
            try await serve(worker: worker, authenticators: authenticators, document: document, tls: tls, listening: listening)
        } catch {
            try? await pool.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()
    }

    /// Cleans the upload area, then answers requests (the API under /v1, the web UI under /ui) until a
    /// shutdown signal.
    private func serve(
        worker: RegistryWorker, authenticators: [any Authenticator], document: Data, tls: TLSConfiguration?,
        listening: @escaping @Sendable (String) -> Void
    ) async throws {
        let uploads = UploadArea(home: options.home)
        try await worker.io { uploads.removeStale(olderThan: Self.staleUploadAge) }
        let api = RegistryAPI(
            worker: worker, authentication: RequestAuthentication(authenticators: authenticators),
            uploads: uploads, receiver: UploadReceiver(worker: worker, limit: options.maxUploadBytes),
            jsonLimit: options.maxBodyBytes, quenchVersion: options.quenchVersion, openAPIDocument: document)
        let ui = RegistryUI(
            api: api, sessions: SessionStore(lifetime: options.sessionLifetime), tokens: APITokenAuthenticator(worker: worker),
            secureCookies: tls != nil)
        var routes = RouteList()
        api.addRoutes(to: &routes)
        ui.addRoutes(to: &routes)
        let router = Router(context: RegistryRequestContext.self)
        routes.install(on: router)
        var logger = Logger(label: "quench.registry")
        logger.logLevel = .error
        let scheme = tls == nil ? "http" : "https"
        let host = options.listen.urlHost
        let app = Application(
            router: router, server: try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1(),
            configuration: ApplicationConfiguration(address: .hostname(options.listen.host, port: options.listen.port)),
            onServerRunning: { channel in
                listening("\(scheme)://\(host):\(channel.localAddress?.port ?? 0)")
            },
            logger: logger)
        try await app.runService()
    }

    /// The TLS configuration from the PEM files, or nil for plain HTTP.
    private func tlsConfiguration() throws -> TLSConfiguration? {
        switch (options.tlsCertificate, options.tlsKey) {
        case (nil, nil):
            return nil
        case (.some, nil):
            throw RegistryServerError.tlsIncomplete(given: "--tls-cert", missing: "--tls-key")
        case (nil, .some):
            throw RegistryServerError.tlsIncomplete(given: "--tls-key", missing: "--tls-cert")
        case (.some(let certificate), .some(let key)):
            let chain: [NIOSSLCertificate]
            let privateKey: NIOSSLPrivateKey
            do {
                chain = try NIOSSLCertificate.fromPEMFile(certificate.path)
            } catch {
                throw RegistryServerError.tlsUnreadable(path: certificate.path, reason: "not a PEM certificate chain (\(error))")
            }
            do {
                privateKey = try NIOSSLPrivateKey(file: key.path, format: .pem)
            } catch {
                throw RegistryServerError.tlsUnreadable(path: key.path, reason: "not a PEM private key (\(error))")
            }
            guard !chain.isEmpty else { throw RegistryServerError.tlsUnreadable(path: certificate.path, reason: "it holds no certificate") }
            return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        }
    }
}
