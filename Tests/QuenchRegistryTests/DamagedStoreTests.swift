import Foundation
import GRDB
import Testing
@testable import QuenchRegistry

/// A registry database altered outside Quench is refused with the table and column named, never a trap.
@Suite struct DamagedStoreTests {
    /// A registry with two approved versions and their audit entries, then `sql` run on it with the
    /// append-only triggers dropped.
    func damaged(_ sql: String) throws -> RegistryFixture {
        let fixture = try RegistryFixture()
        for _ in 0..<2 { _ = try fixture.version(in: .approved) }
        let queue = try DatabaseQueue(path: fixture.home.appendingPathComponent("registry.sqlite").path)
        try queue.write { db in
            try db.execute(sql: """
                DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
                DROP TRIGGER alias_history_no_update; DROP TRIGGER alias_history_no_delete;
                """)
            try db.execute(sql: sql)
        }
        try queue.close()
        return fixture
    }

    @Test func anAuditLogWithoutAColumnNamesIt() throws {
        let fixture = try damaged("ALTER TABLE audit_log DROP COLUMN actor")
        defer { fixture.remove() }
        let database = fixture.home.appendingPathComponent("registry.sqlite").path
        #expect(throws: RegistryError.storeCorrupt(path: database, table: "audit_log", column: "actor", reason: "the column is missing")) {
            try fixture.registry(as: "admin-z").auditLog()
        }
    }

    @Test func aValueOfTheWrongTypeNamesItsColumn() throws {
        let fixture = try damaged("UPDATE model_versions SET version = 'one' WHERE version = 1")
        defer { fixture.remove() }
        let error = try #require(throws: RegistryError.self) { try fixture.registry(as: "admin-z").list() }
        guard case .storeCorrupt(_, let table, let column, let reason) = error else {
            Issue.record("expected storeCorrupt, got \(error)")
            return
        }
        #expect(table == "model_versions" && column == "version" && reason == "it holds text where Int is expected")
    }

    @Test func aLargestSequenceNumberWithoutSuccessorIsRefused() throws {
        let fixture = try damaged("UPDATE audit_log SET seq = 9223372036854775807 WHERE seq = (SELECT MAX(seq) FROM audit_log)")
        defer { fixture.remove() }
        let error = try #require(throws: RegistryError.self) { try fixture.version(in: .pendingApproval) }
        guard case .storeCorrupt(_, "audit_log", "seq", _) = error else {
            Issue.record("expected storeCorrupt for audit_log.seq, got \(error)")
            return
        }
    }
}
