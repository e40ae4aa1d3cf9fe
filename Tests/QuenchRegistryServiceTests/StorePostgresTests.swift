import Foundation
import QuenchFiles
import QuenchRegistry
import QuenchRegistryPostgres
import QuenchSecurity
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// What only the PostgreSQL store has: logging in, migrations shared by several servers, and the
    /// connections it keeps.
    @Suite(.requiresPostgreSQL) struct StorePostgresTests {
        /// Runs `body` off the Swift concurrency pool with a fresh cluster, stopped after.
        func withCluster<T: Sendable>(_ body: @escaping @Sendable (PostgresServer, PostgresStoreLocation) throws -> T) async throws -> T {
            try await offThePool {
                let server = try PostgresServer()
                defer { server.stop() }
                return try body(server, try PostgresStoreLocation(url: server.url))
            }
        }

        @Test func aStatusChangedBehindTheRegistrysBackIsNamedByAuditVerify() async throws {
            let (clean, tampered) = try await withCluster { server, location in
                let folder = try TemporaryDirectory("pg-registry")
                let store = try PostgresRegistryStore(location: location, password: server.password)
                defer { store.close() }
                let registry = try Registry.openServer(home: folder.url.appendingPathComponent("home"), store: store)
                let trainer = RegistryIdentity(name: "trainer-t", roles: [.trainer], method: .apiToken)
                func register() throws -> ModelVersion {
                    let candidate = try GatedCandidate(in: folder.url, trainedBy: trainer.name, sha256: FileDigest.sha256(of:))
                    let request = RegistrationRequest(
                        name: "support-bot", artifactDirectory: candidate.folder, gateReport: try candidate.writeGateReport(),
                        lineage: try JSONCoding.decoder.decode(Lineage.self, from: try candidate.lineageJSON()), gateFiles: .uploaded)
                    return try registry.register(request, by: trainer)
                }
                let first = try register()
                _ = try registry.approve(
                    VersionReference(name: first.name, version: first.version), note: nil,
                    by: RegistryIdentity(name: "approver-a", roles: [.approver], method: .apiToken))
                _ = try register()
                let clean = try registry.verifyAudit()
                try server.psql("""
                    UPDATE model_versions SET status = 'approved', decided_by = 'approver-a' WHERE name = 'support-bot' AND version = 2
                    """)
                return (clean, try registry.verifyAudit())
            }
            #expect(clean.ok && clean.stateProblems.isEmpty, "\(clean.stateProblems)")
            #expect(!tampered.ok && tampered.problem == nil, "the log itself is intact: \(String(describing: tampered.problem))")
            #expect(tampered.stateProblems == [
                "support-bot@2: status is approved in the state tables but pending_approval in the audit log",
                "support-bot@2: decided_by is approver-a in the state tables but none in the audit log",
            ])
        }

        @Test(.requiresPrograms(["/usr/bin/openssl"]))
        func tlsIsVerifiedAgainstTheNamedCAAndRefusedWithoutIt() async throws {
            let (withCA, systemRoots, plain) = try await offThePool {
                let folder = try TemporaryDirectory("pg-tls")
                let server = try PostgresServer(certificates: try TestCertificates(in: folder.url))
                defer { server.stop() }
                let ca = folder.url.appendingPathComponent("ca.pem").path
                func open(_ query: String, on server: PostgresServer) -> String {
                    do {
                        let store = try PostgresRegistryStore(url: server.url + query, passwordFile: server.passwordFile, environment: [:])
                        defer { store.close() }
                        return "entries: \(try store.read { try $0.auditEntries().count })"
                    } catch {
                        return "\(error)"
                    }
                }
                let plainServer = try PostgresServer()
                defer { plainServer.stop() }
                return (open("?tls=require&tls_ca=\(ca)", on: server), open("?tls=require", on: server),
                        open("?tls_ca=\(ca)", on: plainServer))
            }
            #expect(withCA == "entries: 0", "\(withCA)")
            #expect(systemRoots.contains("connect to postgres://") && systemRoots.lowercased().contains("certificate"), "\(systemRoots)")
            #expect(plain.contains("sslUnsupported"), "a server without TLS is refused, not used in clear text: \(plain)")
        }

        @Test func aWrongPasswordFailsNamingTheDatabaseAndNotThePassword() async throws {
            let message = try await withCluster { _, location in
                do {
                    _ = try PostgresRegistryStore(location: location, password: "not-the-password-42")
                    return "opened"
                } catch {
                    return "\(error)"
                }
            }
            #expect(message.contains("connect to postgres://quench_registry@127.0.0.1:"), "\(message)")
            #expect(message.contains("password authentication failed"), "\(message)")
            #expect(!message.contains("not-the-password-42"))
        }

        @Test func serversOpeningTogetherApplyEachMigrationOnceAndKeepTheRows() async throws {
            let (migrations, failures, versions) = try await withCluster { server, location in
                let failures = ThreadFailures()
                let password = server.password
                let done = DispatchGroup()
                for _ in 0..<4 {
                    done.enter()
                    Thread {
                        defer { done.leave() }
                        do {
                            try PostgresRegistryStore(location: location, password: password, connections: 1).write { access in
                                _ = try access.append(AuditEvent(actor: "t", action: .register, subject: "bot@1", body: .object([:])))
                            }
                        } catch {
                            failures.list.withLock { $0.append("\(error)") }
                        }
                    }.start()
                }
                done.wait()
                let reopened = try PostgresRegistryStore(location: location, password: server.password)
                defer { reopened.close() }
                let entries = try reopened.read { try $0.auditEntries().count }
                return (try server.psql("SELECT name FROM schema_migrations ORDER BY name"), failures.list.withLock { $0 }, entries)
            }
            #expect(failures.isEmpty, "\(failures)")
            #expect(migrations == "v1-versions-aliases-audit\nv2-api-users\n")
            #expect(versions == 4)
        }

        @Test func aDatabaseMigratedByANewerQuenchIsRefused() async throws {
            let message = try await withCluster { server, location in
                try PostgresRegistryStore(location: location, password: server.password).close()
                try server.psql("INSERT INTO schema_migrations (name) VALUES ('v9-from-the-future')")
                do {
                    _ = try PostgresRegistryStore(location: location, password: server.password)
                    return "opened"
                } catch {
                    return "\(error)"
                }
            }
            #expect(message.contains("v9-from-the-future") && message.contains("newer Quench"), "\(message)")
        }

        @Test func idleConnectionsTheServerDroppedAreReplaced() async throws {
            let (before, terminated, after) = try await withCluster { server, location in
                let store = try PostgresRegistryStore(location: location, password: server.password, connections: 2)
                defer { store.close() }
                // Two reads at once, so one or both pooled connections are open and idle afterwards.
                let group = DispatchGroup()
                let failures = ThreadFailures()
                for _ in 0..<2 {
                    group.enter()
                    Thread {
                        defer { group.leave() }
                        do { _ = try store.read { try $0.auditEntries() } } catch { failures.list.withLock { $0.append("\(error)") } }
                    }.start()
                }
                group.wait()
                let before = failures.list.withLock { $0 }
                let terminated = try server.psql(
                    "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(server.user)') AS t",
                    database: "postgres")
                let after = try (1...3).map { number in
                    try store.write { try $0.append(AuditEvent(actor: "t", action: .register, subject: "bot@\(number)", body: .object([:]))).size }
                }
                return (before, terminated, after)
            }
            #expect(before.isEmpty, "\(before)")
            #expect(["1\n", "2\n"].contains(terminated), "the pooled connections were open and are now dropped: \(terminated)")
            #expect(after == [1, 2, 3], "a closed idle connection is not lent out again: every call after the drop gets a new one")
        }

        @Test func aStatementBlockedPastTheTimeoutFailsAndItsConnectionIsReplaced() async throws {
            let (message, elapsed, after) = try await withCluster { server, location in
                let holder = try PostgresRegistryStore(location: location, password: server.password, connections: 1)
                defer { holder.close() }
                let store = try PostgresRegistryStore(
                    location: location, password: server.password, connections: 1, statementTimeout: .seconds(1))
                defer { store.close() }
                // Another connection holds audit_log's write lock (for 10 s at most, so a store without a
                // deadline fails this test instead of hanging it).
                let locked = DispatchSemaphore(value: 0)
                let released = DispatchSemaphore(value: 0)
                let holding = DispatchGroup()
                holding.enter()
                Thread {
                    defer { holding.leave() }
                    _ = try? holder.write { _ in
                        locked.signal()
                        _ = released.wait(timeout: .now() + 10)
                    }
                }.start()
                locked.wait()
                func append(_ subject: String) throws -> Int {
                    try store.write { try $0.append(AuditEvent(actor: "t", action: .register, subject: subject, body: .object([:]))).size }
                }
                let start = ContinuousClock.now
                let message: String
                do {
                    message = "written: \(try append("bot@1"))"
                } catch {
                    message = "\(error)"
                }
                let elapsed = ContinuousClock.now - start
                released.signal()
                holding.wait()
                return (message, elapsed, try append("bot@2"))
            }
            #expect(message.contains("write in postgres://quench_registry@127.0.0.1:"), "\(message)")
            #expect(message.contains("no answer within 1 s") && message.contains("the connection was closed"), "\(message)")
            #expect(elapsed >= .seconds(1) && elapsed < .seconds(5), "failed at the deadline, not before or long after: \(elapsed)")
            #expect(after == 1, "the timed-out write wrote nothing, and the store's only connection was replaced by a working one")
        }
    }
}
