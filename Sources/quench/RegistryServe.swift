import ArgumentParser
import Foundation
import QuenchFiles
import QuenchRegistryServer

/// `quench registry serve`: run the registry as an HTTP service.
struct RegistryServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve the registry over HTTP(S) to authenticated users: API v1 and the web UI.",
        discussion: """
            The server owns its home: the database (unless --database names PostgreSQL), the artifact store, \
            the signing key (created at first start, 0600) and the users. Create users with \
            `quench registry users add` on this host. Plain HTTP is refused unless the address is loopback; \
            give --tls-cert and --tls-key (PEM) to serve HTTPS. One JSON access-log line per request goes to \
            standard error. The API is described by GET /v1/openapi.yaml. Stop with Ctrl-C or SIGTERM: \
            requests in flight finish first.

            Reviewers and approvers use the web UI at /ui (for example https://registry.example:8443/ui): \
            the models, their versions with lineage, gate, evaluation, loss curve, signature and audit entries, \
            the audit log, and approve, reject, promote, roll back and archive for the roles that may. Sign in \
            with an API token; it is exchanged for a session cookie that lasts --session-lifetime seconds from \
            sign-in. Sessions live in the server's memory: a restart signs everyone out.

            Bearer tokens are API tokens or, for CI jobs, OIDC JWTs from the issuer HOME/server.yaml configures \
            (the file must belong to the user running the server and be writable by no one else): issuer (the \
            iss tokens carry), audience (which aud must name), jwks (the issuer's keys: an https URL, with \
            ca_bundle for a private CA, or a file), name_claim (the identity's name, default sub) and rules \
            (roles for a claim's exact value). Expiry is checked. Without the file only API tokens are accepted. \
            For example:
              oidc:
                issuer: https://token.actions.githubusercontent.com
                audience: quench-registry
                jwks: https://token.actions.githubusercontent.com/.well-known/jwks
                rules:
                  - claim: sub
                    equals: "repo:org/ml-jobs:ref:refs/heads/main"
                    roles: [trainer]

            --database takes postgres://USER@HOST[:PORT]/DB[?tls=require|disable][&tls_ca=CA.pem]; the password \
            comes from --database-password-file (a 0600 file) or QUENCH_REGISTRY_DATABASE_PASSWORD, never the URL. \
            TLS is required unless the host is loopback (tls=disable turns it off; tls_ca trusts a private CA).

            Example:
              quench registry serve --home /srv/quench --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem
            """)

    @OptionGroup var server: RegistryServerHomeOptions
    @Option(help: ArgumentHelp("The address to listen on; port 0 picks a free port.", valueName: "host:port"))
    var listen = "127.0.0.1:8443"
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("The PEM certificate chain to serve HTTPS with.", valueName: "file"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The PEM private key of the certificate.", valueName: "file"))
    var tlsKey: String?
    @Option(name: .customLong("max-body-mib"), help: ArgumentHelp("The largest JSON request body.", valueName: "MiB"))
    var maxBodyMiB = 64
    @Option(name: .customLong("max-upload-gib"), help: ArgumentHelp("The largest uploaded artifact file.", valueName: "GiB"))
    var maxUploadGiB = 64
    @Option(name: .customLong("session-lifetime"), help: ArgumentHelp(
        "How long a web UI sign-in lasts, from sign-in (1 to 86400).", valueName: "seconds"))
    var sessionLifetime = 1800

    func run() async throws {
        let (store, kind) = try server.openStore()
        let home = server.homeURL
        let options = RegistryServer.Options(
            home: home, listen: try ListenAddress(parsing: listen), tlsCertificate: tlsCertificate.map(URL.init(fileURLWithPath:)),
            tlsKey: tlsKey.map(URL.init(fileURLWithPath:)), maxBodyBytes: try Self.bytes(maxBodyMiB, shift: 20, option: "--max-body-mib"),
            maxUploadBytes: try Self.bytes(maxUploadGiB, shift: 30, option: "--max-upload-gib"), quenchVersion: QuenchVersion.current,
            sessionLifetime: try Self.seconds(sessionLifetime))
        try await RegistryServer(options: options, store: store).run { url in
            StandardStream.error.write("quench registry listening on \(url) (home \(home.path), store \(kind))\n")
        }
    }

    /// A web UI session lifetime of `seconds`, refusing values outside 1 s ... one day.
    private static func seconds(_ seconds: Int) throws -> TimeInterval {
        guard (1...86_400).contains(seconds) else { throw RegistryServerError.sessionLifetimeInvalid(seconds) }
        return TimeInterval(seconds)
    }

    /// `value` << `shift` bytes, refusing values that are not positive or overflow.
    private static func bytes(_ value: Int, shift: Int, option: String) throws -> Int64 {
        let (bytes, overflow) = Int64(value).multipliedReportingOverflow(by: Int64(1) << shift)
        guard value > 0, !overflow else { throw RegistryServerError.limitInvalid(option: option, value: value) }
        return bytes
    }
}
