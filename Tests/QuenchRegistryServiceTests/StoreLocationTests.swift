import Foundation
import QuenchRegistryPostgres
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// `--database` URLs and the password sources: the password is never taken from the URL or argv.
    @Suite struct StoreLocationTests {
        @Test func aURLNamesUserHostPortAndDatabaseWithTLSOffOnlyOnLoopback() throws {
            let local = try PostgresStoreLocation(url: "postgres://registry@127.0.0.1:5433/quench")
            #expect(local == PostgresStoreLocation(host: "127.0.0.1", port: 5433, user: "registry", database: "quench", tls: .disable))
            #expect(local.description == "postgres://registry@127.0.0.1:5433/quench")
            let remote = try PostgresStoreLocation(url: "postgresql://registry@db.example.com/quench")
            #expect(remote == PostgresStoreLocation(host: "db.example.com", port: 5432, user: "registry", database: "quench", tls: .require))
            #expect(try PostgresStoreLocation(url: "postgres://r@localhost/q").tls == .disable)
            #expect(try PostgresStoreLocation(url: "postgres://r@[::1]:6000/q").host == "::1")
            #expect(try PostgresStoreLocation(url: "postgres://r@127.0.0.1/q?tls=require").tls == .require)
            #expect(try PostgresStoreLocation(url: "postgres://r@db.internal/q?tls=disable").tls == .disable)
            #expect(!PostgresStoreLocation.isLoopback("128.0.0.1") && !PostgresStoreLocation.isLoopback("127.0.0"))
            let privateCA = try PostgresStoreLocation(url: "postgres://r@127.0.0.1/q?tls_ca=/etc/ssl/db-ca.pem")
            #expect(privateCA.tls == .require && privateCA.certificateAuthority == "/etc/ssl/db-ca.pem", "a CA file means TLS")
        }

        @Test func aPasswordInTheURLIsRefusedWithoutRepeatingIt() throws {
            let error = try #require(throws: PostgresStoreError.self) {
                try PostgresStoreLocation(url: "postgres://registry:hunter2-secret@db.example.com/quench")
            }
            guard case .passwordInURL = error else { Issue.record("expected passwordInURL, got \(error)"); return }
            #expect(!error.description.contains("hunter2-secret"), "\(error)")
            #expect(error.description.contains(PostgresPassword.environmentVariable) && error.description.contains("--database-password-file"))
        }

        @Test(arguments: [
            ("mysql://r@h/q", "the scheme is 'mysql'"),
            ("postgres://h/q", "names no user"),
            ("postgres://r@h", "one database name"),
            ("postgres://r@h/a/b", "one database name"),
            ("postgres://r@h/q?sslmode=require", "unknown parameter 'sslmode'"),
            ("postgres://r@h/q?tls=disable&tls_ca=/ca.pem", "tls_ca needs TLS"),
            ("postgres://r@h/q?tls_ca=", "tls_ca names no file"),
            ("postgres://r@h/q?tls=maybe", "tls=maybe is neither require nor disable"),
            ("postgres://r@h/q?tls=require&tls=disable", "tls is given twice"),
            ("not a url", "is not a URL"),
        ])
        func aMalformedURLIsRefusedNamingTheProblem(_ url: String, _ reason: String) throws {
            let error = try #require(throws: PostgresStoreError.self) { try PostgresStoreLocation(url: url) }
            #expect(error.description.contains(reason), "\(error)")
        }

        @Test func aDatabaseNothingListensOnFailsNamingItAndWhy() async throws {
            let port = try LoopbackPort.free()
            let message = try await offThePool {
                do {
                    _ = try PostgresRegistryStore(url: "postgres://registry@127.0.0.1:\(port)/quench", passwordFile: nil, environment: [:])
                    return "opened"
                } catch {
                    return "\(error)"
                }
            }
            #expect(message.hasPrefix("registry store failed to connect to postgres://registry@127.0.0.1:\(port)/quench: "), "\(message)")
            #expect(message.lowercased().contains("connection refused"), "\(message)")
        }

        @Test func thePasswordComesFromAPrivateFileOrTheEnvironment() throws {
            let folder = try TemporaryDirectory("pgpass")
            let file = try folder.file("password", bytes: Data("from-the-file\nignored\n".utf8), permissions: 0o600)
            let environment = [PostgresPassword.environmentVariable: "from-the-environment"]
            #expect(try PostgresPassword.resolve(file: file, environment: environment) == "from-the-file")
            #expect(try PostgresPassword.resolve(file: nil, environment: environment) == "from-the-environment")
            #expect(try PostgresPassword.resolve(file: nil, environment: [:]) == nil)

            let open = try folder.file("open", bytes: Data("secret\n".utf8), permissions: 0o644)
            let refused = try #require(throws: PostgresStoreError.self) { try PostgresPassword.resolve(file: open, environment: [:]) }
            #expect(refused.description.contains(open.path) && refused.description.contains("chmod 600"), "\(refused)")
            #expect(!refused.description.contains("secret\n"))

            let empty = try folder.file("empty", bytes: Data("\n".utf8), permissions: 0o600)
            #expect(throws: PostgresStoreError.passwordFileEmpty(path: empty.path)) {
                try PostgresPassword.resolve(file: empty, environment: [:])
            }
        }
    }
}
