import Crypto
import Foundation
import Testing
@testable import QuenchRegistry

/// Every transition of the approval state machine, allowed and refused, and who may make it.
@Suite struct RegistryStateMachineTests {
    enum Action: String, CaseIterable { case approve, reject, archive, promote }

    /// The statuses from which each action is allowed; everything else must be refused.
    static let allowed: [Action: Set<VersionStatus>] = [
        .approve: [.pendingApproval], .reject: [.pendingApproval], .archive: [.approved, .rejected], .promote: [.approved],
    ]

    @Test func everyTransitionIsAllowedOrRefusedAsSpecified() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        for status in VersionStatus.allCases {
            for action in Action.allCases {
                let version = try fixture.version(in: status, name: "m-\(status.rawValue)-\(action.rawValue)")
                #expect(version.status == status)
                let attempt: () throws -> Void = {
                    switch action {
                    case .approve: try fixture.registry(as: "approver-b").approve(version.reference)
                    case .reject: try fixture.registry(as: "approver-b").reject(version.reference)
                    case .archive: try fixture.registry(as: "admin-z").archive(version.reference)
                    case .promote: try fixture.registry(as: "approver-b").promote(version.reference, to: .staging)
                    }
                }
                if Self.allowed[action]?.contains(status) == true {
                    #expect(throws: Never.self, "\(action) from \(status)") { try attempt() }
                } else {
                    let error = #expect(throws: RegistryError.self, "\(action) from \(status)") { try attempt() }
                    guard case .invalidTransition = error else {
                        Issue.record("\(action) from \(status): expected invalidTransition, got \(String(describing: error))")
                        continue
                    }
                    #expect(try fixture.registry(as: "approver-b").show(version.reference).status == status, "a refused change changes nothing")
                }
            }
        }
        #expect(try fixture.registry(as: "approver-b").verifyAudit().ok)
    }

    @Test func approvalByTheCreatorIsRefusedEvenWithTheApproverRole() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let version = try fixture.registry(as: "both-c").register(try fixture.candidate())
        #expect(throws: RegistryError.selfApproval(actor: "both-c", subject: "support-bot@1")) {
            try fixture.registry(as: "both-c").approve(version.reference)
        }
        #expect(throws: RegistryError.selfApproval(actor: "both-c", subject: "support-bot@1")) {
            try fixture.registry(as: "both-c").reject(version.reference)
        }
        let approved = try fixture.registry(as: "approver-a").approve(version.reference, note: "reviewed")
        #expect(approved.status == .approved && approved.decidedBy == "approver-a" && approved.decisionNote == "reviewed")
    }

    @Test func rolesAndActorsAreEnforced() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        #expect(throws: RegistryError.self) { try fixture.registry(as: "approver-a").register(try fixture.candidate()) }
        let version = try fixture.registry(as: "trainer-t").register(try fixture.candidate())
        let denied = #expect(throws: RegistryError.self) { try fixture.registry(as: "trainer-t").approve(version.reference) }
        #expect(denied == .permissionDenied(actor: "trainer-t", action: "approve", needs: ["approver"], grant: "grant it under roles in \(fixture.configURL.path)"))
        #expect(throws: RegistryError.self) { try fixture.registry(as: "approver-a").archive(version.reference) }
        let refused = #expect(throws: RegistryError.self) { try fixture.registry(as: "mallory").localIdentity() }
        guard case .actorOverrideRefused(let requested, _, _) = refused else {
            Issue.record("expected actorOverrideRefused, got \(String(describing: refused))")
            return
        }
        #expect(requested == "mallory")
        #expect(try fixture.registry(as: "trainer-t").list().map(\.version) == [1], "refusals registered nothing")
    }

    @Test func versionsNumberPerNameAndPromotionRollbackWalkTheHistory() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let versions = try (1...3).map { _ in try fixture.version(in: .approved) }
        #expect(versions.map(\.version) == [1, 2, 3])
        #expect(try fixture.version(in: .approved, name: "other-bot").version == 1)
        let approver = try fixture.registry(as: "approver-b")
        for version in versions { try approver.promote(version.reference, to: .production) }
        #expect(try approver.show(versions[2].reference).aliases == [.production])
        #expect(try approver.rollback(name: "support-bot", alias: .production).version == 2)
        #expect(try approver.rollback(name: "support-bot", alias: .production).version == 1)
        #expect(throws: RegistryError.aliasHasNoHistory(name: "support-bot", alias: "production")) {
            try approver.rollback(name: "support-bot", alias: .production)
        }
        #expect(throws: RegistryError.aliasHasNoHistory(name: "support-bot", alias: "staging")) {
            try approver.rollback(name: "support-bot", alias: .staging)
        }
        let history = try approver.aliasHistory(name: "support-bot")
        #expect(history.map(\.action) == ["promote", "promote", "promote", "rollback", "rollback"])
        #expect(history.map(\.version) == [1, 2, 3, 2, 1])
        #expect(throws: RegistryError.aliasHeld(subject: "support-bot@1", alias: "production")) {
            try fixture.registry(as: "admin-z").archive(versions[0].reference)
        }
        let audit = try approver.verifyAudit()
        #expect(audit.ok && audit.entries == 13 && audit.checkpoints == 13, "8 changes for 4 versions, 3 promotions, 2 rollbacks")
    }

    @Test func promotionOfATamperedVersionIsRefused() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let approver = try fixture.registry(as: "approver-a")
        let edited = try fixture.version(in: .approved)
        let weights = URL(fileURLWithPath: edited.artifactDirectory).appendingPathComponent("adapter_model.safetensors")
        try FileManager.default.removeItem(at: weights)
        try Data(repeating: 7, count: 4096).write(to: weights)
        let error = #expect(throws: RegistryError.self) { try approver.promote(edited.reference, to: .production) }
        guard case .artifactTampered(_, let file, _) = error else {
            Issue.record("expected artifactTampered, got \(String(describing: error))")
            return
        }
        #expect(file == "adapter_model.safetensors")

        let added = try fixture.version(in: .approved)
        try Data("extra".utf8).write(to: URL(fileURLWithPath: added.artifactDirectory).appendingPathComponent("extra.bin"))
        #expect(throws: RegistryError.self, "a file slipped in beside the signed ones") { try approver.promote(added.reference, to: .production) }

        let resigned = try fixture.version(in: .approved)
        let directory = URL(fileURLWithPath: resigned.artifactDirectory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("model.sig"))
        try OpenSSFSigner(key: SigningKey(.init())).sign(directory: directory, modelName: "support-bot")
        #expect(throws: RegistryError.self, "a signature by another key") { try approver.promote(resigned.reference, to: .production) }
        #expect(try approver.show(resigned.reference).aliases.isEmpty)

        let intact = try fixture.version(in: .approved)
        #expect(try approver.promote(intact.reference, to: .production).version == 4)
    }

    @Test func signatureCheckRejectsAForgedManifest() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let version = try fixture.version(in: .approved)
        let directory = URL(fileURLWithPath: version.artifactDirectory)
        let signer = try OpenSSFSigner(key: SigningKey.load(from: fixture.root.appendingPathComponent("keys/signing.key")))
        try signer.verify(directory: directory)
        let sigURL = directory.appendingPathComponent("model.sig")
        // Rename a file inside the signed statement (base64 in the DSSE envelope), keeping the old signature.
        var bundle = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: sigURL)) as? [String: Any])
        var envelope = try #require(bundle["dsseEnvelope"] as? [String: Any])
        let encoded = try #require(envelope["payload"] as? String)
        let payload = try #require(Data(base64Encoded: encoded))
        let statement = String(decoding: payload, as: UTF8.self)
        #expect(statement.contains("adapter_config.json"))
        envelope["payload"] = Data(statement.replacingOccurrences(of: "adapter_config.json", with: "adapter_config.jsom").utf8)
            .base64EncodedString()
        bundle["dsseEnvelope"] = envelope
        try FileManager.default.removeItem(at: sigURL)
        try JSONSerialization.data(withJSONObject: bundle).write(to: sigURL)
        #expect(throws: RegistryError.self) { try signer.verify(directory: directory) }
    }

    @Test func flaggedVersionsAreFoundByFingerprintAndCannotBePromoted() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let trainer = try fixture.registry(as: "trainer-t")
        let tainted = try trainer.register(try fixture.candidate(fingerprint: "fp-erased"))
        _ = try trainer.register(try fixture.candidate(fingerprint: "fp-kept"))
        try fixture.registry(as: "approver-a").approve(tainted.reference)
        let admin = try fixture.registry(as: "admin-z")
        let found = try admin.versions(withDatasetFingerprint: "fp-erased")
        #expect(found.map(\.subject) == ["support-bot@1"])
        #expect(throws: RegistryError.self, "only admins flag") {
            try trainer.markForReview(version: tainted.reference, reason: "dataset erased")
        }
        let flagged = try admin.markForReview(version: tainted.reference, reason: "dataset fp-erased erased")
        #expect(flagged.reviewReason == "dataset fp-erased erased")
        #expect(throws: RegistryError.flaggedForReview(subject: "support-bot@1", reason: "dataset fp-erased erased")) {
            try admin.promote(tainted.reference, to: .production)
        }
        #expect(try admin.auditLog().last?.action == "flag_for_review")
    }
}
