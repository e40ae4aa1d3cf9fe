import Crypto
import Foundation
import GRDB
import Testing
@testable import QuenchRegistry

/// The audit log resists edits: triggers refuse them, and `verify` names the first entry changed behind their back.
@Suite struct AuditLogTests {
    /// A registry with 7 audit entries (3 registrations, 3 approvals, 1 promotion).
    func populated() throws -> RegistryFixture {
        let fixture = try RegistryFixture()
        for _ in 0..<3 { _ = try fixture.version(in: .approved) }
        try fixture.registry(as: "approver-b").promote(VersionReference(name: "support-bot", version: 2), to: .staging)
        return fixture
    }

    /// Copies the home, runs `sql` on the copy with the triggers dropped, and verifies the copy.
    func tamperedCopy(of fixture: RegistryFixture, _ sql: String) throws -> AuditVerification {
        let copy = fixture.root.appendingPathComponent("copy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: fixture.home, to: copy)
        let queue = try DatabaseQueue(path: copy.appendingPathComponent("registry.sqlite").path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
            try db.execute(sql: sql)
        }
        try queue.close()
        return try fixture.registry(as: "admin-z", home: copy).verifyAudit()
    }

    @Test func anIntactLogVerifiesWithOneCheckpointPerChange() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let registry = try fixture.registry(as: "admin-z")
        let result = try registry.verifyAudit()
        #expect(result.ok && result.entries == 7 && result.checkpoints == 7 && result.firstBadEntry == nil)
        let log = try registry.auditLog()
        #expect(log.map(\.action) == ["register", "approve", "register", "approve", "register", "approve", "promote"])
        #expect(log.map(\.seq) == Array(1...7))
        #expect(log[1].actor == "approver-a" && log[1].subject == "support-bot@1")
        #expect(log.allSatisfy { $0.leafHash == $0.recomputedLeafHash })
    }

    @Test func triggersRefuseUpdateAndDelete() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let queue = try DatabaseQueue(path: fixture.home.appendingPathComponent("registry.sqlite").path)
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "UPDATE audit_log SET actor = 'x' WHERE seq = 1") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM audit_log WHERE seq = 7") } }
        #expect(throws: (any Error).self) { try queue.write { try $0.execute(sql: "DELETE FROM alias_history") } }
        try queue.close()
        #expect(try fixture.registry(as: "admin-z").verifyAudit().ok)
    }

    @Test func anEditedEntryIsNamed() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let naive = try tamperedCopy(of: fixture, "UPDATE audit_log SET actor = 'trainer-t' WHERE seq = 4")
        #expect(naive.firstBadEntry == 4 && !naive.ok)
        let entry = try #require(try fixture.registry(as: "admin-z").auditLog().first { $0.seq == 3 })
        let rehashed = AuditEntry(seq: 3, at: entry.at, actor: "someone-else", action: entry.action, subject: entry.subject, body: entry.body, leafHash: "")
        let careful = try tamperedCopy(of: fixture, "UPDATE audit_log SET actor = 'someone-else', leaf_hash = '\(rehashed.recomputedLeafHash)' WHERE seq = 3")
        #expect(careful.firstBadEntry == 3, "a recomputed leaf hash still disagrees with the signed checkpoint: \(careful.problem ?? "")")
    }

    @Test func aDeletedEntryIsNamed() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let result = try tamperedCopy(of: fixture, "DELETE FROM audit_log WHERE seq = 2")
        #expect(result.firstBadEntry == 2 && result.entries == 6)
        let renumbered = try tamperedCopy(of: fixture, "DELETE FROM audit_log WHERE seq = 2; UPDATE audit_log SET seq = seq - 1 WHERE seq > 2")
        #expect(renumbered.firstBadEntry == 2)
    }

    @Test func reorderedEntriesAreNamed() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let result = try tamperedCopy(of: fixture, "UPDATE audit_log SET seq = -5 WHERE seq = 5; UPDATE audit_log SET seq = 5 WHERE seq = 6; UPDATE audit_log SET seq = 6 WHERE seq = -5")
        #expect(result.firstBadEntry == 5, "\(result.problem ?? "")")
    }

    @Test func aTruncatedLogIsNamed() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let result = try tamperedCopy(of: fixture, "DELETE FROM audit_log WHERE seq >= 6")
        #expect(result.firstBadEntry == 6 && result.entries == 5)
        #expect(result.problem?.contains("truncated") == true)
    }

    @Test func anUnsignedAppendAndAForgedCheckpointAreDetected() throws {
        let fixture = try populated()
        defer { fixture.remove() }
        let entry = AuditEntry(seq: 8, at: "2030-01-01T00:00:00.000Z", actor: "carol", action: "approve", subject: "support-bot@3", body: "{}", leafHash: "")
        let appended = try tamperedCopy(of: fixture, """
            INSERT INTO audit_log (seq, at, actor, action, subject, body, leaf_hash)
            VALUES (8, '\(entry.at)', 'carol', 'approve', 'support-bot@3', '{}', '\(entry.recomputedLeafHash)')
            """)
        #expect(appended.firstBadEntry == 8)

        let forged = try AuditCheckpoint.sign(TreeHead(size: 7, root: String(repeating: "0", count: 64)), with: SigningKey(.init()))
        try CheckpointLog(url: fixture.home.appendingPathComponent("audit/checkpoints.jsonl")).append(forged)
        let result = try fixture.registry(as: "admin-z").verifyAudit()
        #expect(!result.ok && result.problem?.contains("not signed by the registry key") == true)
    }
}
