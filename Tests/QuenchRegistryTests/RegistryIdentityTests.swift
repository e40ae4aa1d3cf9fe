import Foundation
import GRDB
import QuenchFiles
import QuenchTestSupport
import Testing
@testable import QuenchRegistry

/// A server's registry: API users with hashed tokens, identities passed explicitly, separation of duties
/// on the registrar and the lineage's trainer, promotions that expect a holder, uploads' gate checks.
@Suite struct RegistryIdentityTests {
    /// A server registry over the fixture's home (SQLite) and an administrator acting on the server host.
    struct Server {
        let fixture: RegistryFixture
        let registry: Registry
        let admin = RegistryIdentity(name: "root-admin", roles: [.admin], method: .serverAdmin)

        init() throws {
            fixture = try RegistryFixture()
            let store = try SQLiteRegistryStore(url: QuenchHome(root: fixture.home).registryDatabase)
            registry = try Registry.openServer(home: fixture.home, store: store)
        }

        /// A new user's identity as its token authenticates it.
        func user(_ name: String, _ roles: [RegistryRole]) throws -> RegistryIdentity {
            let (_, token) = try registry.addUser(name: name, roles: roles, by: admin)
            return try #require(try registry.identity(forToken: token))
        }
    }

    @Test func tokensAreIssuedOnceStoredHashedAndRevocable() throws {
        let server = try Server()
        defer { server.fixture.remove() }
        let (user, token) = try server.registry.addUser(name: "alice", roles: [.trainer, .approver], by: server.admin)
        #expect(token.hasPrefix(Registry.tokenPrefix) && token.count > 40)
        #expect(user.roles == [.approver, .trainer] && user.createdBy == "root-admin")
        let identity = try #require(try server.registry.identity(forToken: token))
        #expect(identity == RegistryIdentity(name: "alice", roles: [.trainer, .approver], method: .apiToken))
        #expect(try server.registry.identity(forToken: token + "x") == nil)
        #expect(try server.registry.identity(forToken: "alice") == nil)

        let database = try Data(contentsOf: QuenchHome(root: server.fixture.home).registryDatabase)
        #expect(database.range(of: Data(token.utf8)) == nil, "the token itself is never stored")

        #expect(throws: RegistryError.userExists("alice")) { try server.registry.addUser(name: "alice", roles: [.trainer], by: server.admin) }
        try server.registry.revokeUser(name: "alice", by: server.admin)
        #expect(try server.registry.identity(forToken: token) == nil)
        #expect(throws: RegistryError.userNotFound("alice")) { try server.registry.revokeUser(name: "alice", by: server.admin) }
        let (_, second) = try server.registry.addUser(name: "alice", roles: [.trainer], by: server.admin)
        #expect(try server.registry.identity(forToken: token) == nil, "the revoked token stays revoked")
        #expect(try server.registry.identity(forToken: second)?.roles == [.trainer])
        #expect(throws: RegistryError.userNeedsRole("bob")) { try server.registry.addUser(name: "bob", roles: [], by: server.admin) }
        #expect(throws: RegistryError.invalidUserName("../bob")) { try server.registry.addUser(name: "../bob", roles: [.trainer], by: server.admin) }
        #expect(try server.registry.auditLog().map(\.action) == ["user_add", "user_revoke", "user_add"])
        #expect(try server.registry.verifyAudit().ok)
    }

    @Test func aServerRegistryHasNoLocalIdentity() throws {
        let server = try Server()
        defer { server.fixture.remove() }
        #expect(throws: RegistryError.localIdentityOnServer) { try server.registry.approve(VersionReference(name: "m", version: 1)) }
    }

    @Test func neitherTheRegistrarNorTheTrainerMayApprove() throws {
        let server = try Server()
        defer { server.fixture.remove() }
        let ci = try server.user("ci", [.trainer])
        let alice = try server.user("alice", [.approver])
        let carol = try server.user("carol", [.approver])
        var request = try server.fixture.candidate()
        request.lineage.trainedBy = "alice"
        let version = try server.registry.register(request, by: ci)
        #expect(version.createdBy == "ci")
        #expect(throws: RegistryError.trainerApproval(actor: "alice", subject: version.subject)) {
            try server.registry.approve(version.reference, note: nil, by: alice)
        }
        let denied = #expect(throws: RegistryError.self) { try server.registry.approve(version.reference, note: nil, by: ci) }
        guard case .permissionDenied(let actor, _, let needs, let grant) = denied else {
            Issue.record("expected permissionDenied, got \(String(describing: denied))")
            return
        }
        #expect(actor == "ci" && needs == ["approver"] && grant.contains("users add"))
        #expect(try server.registry.approve(version.reference, note: "ok", by: carol).decidedBy == "carol")
        #expect(try server.registry.auditLog().last?.body.contains(#""created_by":"ci""#) == true)
    }

    @Test func aPromotionExpectingAnotherHolderIsRefused() throws {
        let server = try Server()
        defer { server.fixture.remove() }
        let ci = try server.user("ci", [.trainer])
        let approver = try server.user("approver", [.approver])
        var approved: [ModelVersion] = []
        for _ in 0..<2 {
            let version = try server.registry.register(try server.fixture.candidate(), by: ci)
            approved.append(try server.registry.approve(version.reference, note: nil, by: approver))
        }
        try server.registry.promote(approved[0].reference, to: .production, expectedHolder: .holder(nil), by: approver)
        #expect(throws: RegistryError.aliasMoved(name: "support-bot", alias: "production", expected: nil, found: 1)) {
            try server.registry.promote(approved[1].reference, to: .production, expectedHolder: .holder(nil), by: approver)
        }
        let move = try server.registry.promote(approved[1].reference, to: .production, expectedHolder: .holder(1), by: approver)
        #expect(move.version == 2 && move.previousVersion == 1)
    }

    @Test func aRoleGrantedOutsideTheRegistryIsNamedByTheReplay() throws {
        let server = try Server()
        defer { server.fixture.remove() }
        _ = try server.user("mallory", [.trainer])
        #expect(try server.registry.verifyAudit().ok)
        let database = try DatabaseQueue(path: QuenchHome(root: server.fixture.home).registryDatabase.path)
        try database.write { try $0.execute(sql: "UPDATE api_users SET roles = 'approver,trainer' WHERE name = 'mallory'") }
        let result = try server.registry.verifyAudit()
        #expect(!result.ok)
        #expect(result.stateProblems == ["user mallory: roles are approver,trainer in the state tables but trainer in the audit log"])
    }

    @Test func anUploadedRegistrationChecksTheGateAgainstTheUploadsAndTheLineage() throws {
        let server = try Server()
        defer { server.fixture.remove() }
        let ci = try server.user("ci", [.trainer])
        var request = try server.fixture.candidate()
        // The gate's eval set stays on the client: the server cannot re-read it, and need not.
        let gate = try JSONSerialization.jsonObject(with: Data(contentsOf: request.gateReport)) as? [String: Any] ?? [:]
        let files = gate["files"] as? [[String: Any]] ?? []
        let evalSet = try #require(files.first { $0["role"] as? String == "eval_set" }?["path"] as? String)
        try FileManager.default.removeItem(atPath: evalSet)
        let unreadable = #expect(throws: RegistryError.self) { try server.registry.register(request, by: ci) }
        guard case .gateFileUnreadable(evalSet, "eval_set", _) = unreadable else {
            Issue.record("expected gateFileUnreadable, got \(String(describing: unreadable))")
            return
        }

        let unknownBase = String(repeating: "9", count: 64)
        var withBase = gate
        withBase["files"] = files + [["role": "base_model", "path": "/client/base.gguf", "sha256": unknownBase]]
        try JSONSerialization.data(withJSONObject: withBase, options: [.sortedKeys]).write(to: request.gateReport)
        request.gateFiles = .uploaded
        #expect(throws: RegistryError.uploadedGateFileUnknown(path: "/client/base.gguf", role: "base_model", sha256: unknownBase)) {
            try server.registry.register(request, by: ci)
        }
        request.lineage.baseModel.files.append(HashedFile(path: "base.gguf", sha256: unknownBase))
        let version = try server.registry.register(request, by: ci)
        #expect(version.status == .pendingApproval && version.files.count == 2)
    }
}
