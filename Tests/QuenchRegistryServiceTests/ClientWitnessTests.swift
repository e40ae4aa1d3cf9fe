import Foundation
import GRDB
import QuenchFiles
import QuenchRegistry
import QuenchRegistryClient
import QuenchTestSupport
import Synchronization
import Testing

extension RegistryServiceTests {
    /// A client remembers the server's log between calls: a server whose log lost its tail (entries and
    /// checkpoints, the append-only triggers dropped) is refused at the next call, and the client's
    /// record of the log is left as it was.
    @Suite struct ClientWitnessTests {
        @Test func aTruncatedServerLogStopsTheNextCall() throws {
            let fixture = try ClientFixture()
            let trainer = try fixture.client(as: "trainer-t")
            for _ in 1...2 { _ = try trainer.register(try fixture.candidate()) }
            #expect(try trainer.list(name: nil).count == 2)
            let seen = try #require(try trainer.witness.state()?.checkpoints.last)
            let stateBefore = try Data(contentsOf: trainer.witness.stateFile)

            let url = fixture.server.server.url
            let port = try #require(url.split(separator: ":").last.map(String.init))
            #expect(fixture.server.server.stop() == 0)
            let home = QuenchHome(root: fixture.server.home)
            let database = try DatabaseQueue(path: home.registryDatabase.path)
            try database.write { db in
                try db.execute(sql: "DROP TRIGGER audit_log_no_delete")
                try db.execute(sql: "DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)")
            }
            try database.close()
            let lines = try String(contentsOf: home.auditCheckpoints, encoding: .utf8).split(separator: "\n")
            try Data((lines.dropLast().joined(separator: "\n") + "\n").utf8).write(to: home.auditCheckpoints)

            let restarted = try RegistryServerProcess(home: fixture.server.home, arguments: ["--listen", "127.0.0.1:\(port)"])
            defer { restarted.stop() }
            #expect(restarted.url == url)
            let refused = clientError { _ = try trainer.list(name: nil) }
            guard case .logNotExtended(let refusedURL, let seenSize, _, let detail, _)? = refused else {
                Issue.record("expected logNotExtended, got \(String(describing: refused))")
                return
            }
            #expect(refusedURL == url)
            #expect(seenSize == seen.treeSize)
            #expect(detail.contains("only \(seen.treeSize - 1) entries"))
            #expect(try Data(contentsOf: trainer.witness.stateFile) == stateBefore)
            let anotherUser = clientError { _ = try fixture.client(as: "approver-a").show(VersionReference(name: "support-bot", version: 1)) }
            if case .logNotExtended? = anotherUser {} else { Issue.record("a second client of this machine went on: \(String(describing: anotherUser))") }
        }

        @Test func fiftyConcurrentRegistrationsAndApprovalsLoseNothing() async throws {
            let fixture = try ClientFixture()
            let trainer = try fixture.client(as: "trainer-t")
            let approver = try fixture.client(as: "approver-a")
            let requests = try (0..<50).map { _ in try fixture.candidate() }
            let outcomes = Outcomes()
            let group = DispatchGroup()
            for request in requests {
                group.enter()
                Thread.detachNewThread {
                    defer { group.leave() }
                    do {
                        let version = try trainer.register(request)
                        let approved = try approver.approve(VersionReference(name: version.name, version: version.version), note: nil)
                        outcomes.add(.success(approved.version))
                    } catch {
                        outcomes.add(.failure("\(error)"))
                    }
                }
            }
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in group.notify(queue: .global()) { done.resume() } }

            let results = outcomes.all
            #expect(results.compactMap(\.failure) == [])
            #expect(Set(results.compactMap(\.version)) == Set(1...50))
            let versions = try await Self.onThread { try trainer.list(name: "support-bot") }
            #expect(versions.count == 50)
            #expect(versions.allSatisfy { $0.status == .approved && $0.decidedBy == "approver-a" })
            let audit = try await Self.onThread { try approver.verifyAudit() }
            #expect(audit.ok, "\(audit)")
            let actions = try await Self.onThread { try trainer.auditLog().map(\.action) }
            #expect(actions.filter { $0 == "register" }.count == 50)
            #expect(actions.filter { $0 == "approve" }.count == 50)
        }

        /// What one thread ended with.
        enum Outcome: Sendable {
            case success(Int)
            case failure(String)

            var version: Int? { if case .success(let version) = self { version } else { nil } }
            var failure: String? { if case .failure(let reason) = self { reason } else { nil } }
        }

        /// The outcomes of the threads, gathered under a lock.
        final class Outcomes: Sendable {
            private let outcomes = Mutex<[Outcome]>([])

            func add(_ outcome: Outcome) { outcomes.withLock { $0.append(outcome) } }
            var all: [Outcome] { outcomes.withLock { $0 } }
        }

        /// Runs the synchronous client off the cooperative pool.
        static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
            }
        }
    }
}
