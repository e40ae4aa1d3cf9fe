import Foundation
import GRDB
import Testing
@testable import QuenchRegistry

/// `audit verify` replays the log and holds the state tables against it: a row changed behind the
/// registry's back (the log itself untouched) is named with the difference.
@Suite struct AuditReplayTests {
    /// One approved and promoted version (support-bot@1) and one pending (support-bot@2).
    func populated() throws -> RegistryFixture {
        let fixture = try RegistryFixture()
        let approved = try fixture.version(in: .approved)
        try fixture.registry(as: "approver-a").promote(approved.reference, to: .staging)
        _ = try fixture.version(in: .pendingApproval)
        return fixture
    }

    /// Runs `sql` straight on the registry's SQLite file, then verifies.
    func verify(after sql: String, in fixture: RegistryFixture) throws -> AuditVerification {
        let queue = try DatabaseQueue(path: fixture.home.appendingPathComponent("registry.sqlite").path)
        try queue.write { try $0.execute(sql: sql) }
        try queue.close()
        return try fixture.registry(as: "admin-z").verifyAudit()
    }

    @Test func anUntouchedRegistryReplaysToItsState() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let result = try fixture.registry(as: "admin-z").verifyAudit()
        #expect(result.ok && result.stateProblems.isEmpty, "\(result.stateProblems)")
    }

    @Test func aDirectStatusUpdateIsNamedWithTheDifference() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let result = try verify(
            after: "UPDATE model_versions SET status = 'approved', decided_by = 'approver-a' WHERE name = 'support-bot' AND version = 2",
            in: fixture)
        #expect(!result.ok && result.problem == nil, "the log itself is intact: \(String(describing: result.problem))")
        #expect(result.stateProblems == [
            "support-bot@2: status is approved in the state tables but pending_approval in the audit log",
            "support-bot@2: decided_by is approver-a in the state tables but none in the audit log",
        ])
    }

    @Test func aDirectlyMovedAliasIsNamed() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let result = try verify(after: "UPDATE aliases SET version = 2 WHERE name = 'support-bot' AND alias = 'staging'", in: fixture)
        #expect(result.stateProblems == [
            "support-bot@1: aliases is none in the state tables but staging in the audit log",
            "support-bot@2: aliases is staging in the state tables but none in the audit log",
        ])
    }

    @Test func aLogRecordingASelfApprovalIsReported() {
        func entry(_ seq: Int, _ actor: String, _ action: String, _ body: String = "{}") -> AuditEntry {
            AuditEntry(seq: seq, at: "2026-12-04T00:00:00Z", actor: actor, action: action, subject: "bot@1", body: body, leafHash: "")
        }
        let replay = AuditReplay([entry(1, "trainer-t", "register"), entry(2, "trainer-t", "approve"),
                                  entry(3, "approver-a", "promote", #"{"alias": "production", "version": 1}"#)])
        #expect(replay.violations == [
            "entry 2 (approve bot@1 by trainer-t): the registrar decided on their own version",
            "entry 3 (promote bot@1 by approver-a): the version was pending_approval",
        ])
        #expect(replay.versions["bot@1"]?.status == .pendingApproval && replay.aliases.isEmpty)
    }
}
