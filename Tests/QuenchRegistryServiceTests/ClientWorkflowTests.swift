import Foundation
import QuenchRegistry
import QuenchRegistryClient
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// `RemoteRegistry` against a real `quench registry serve`: the registry's rules hold for the token's
    /// user, and every call witnesses the server's log with the key pinned on first use.
    @Suite struct ClientWorkflowTests {
        @Test func trainerRegistersApproverApprovesPromotesAndVerifiesWithThePinnedKey() throws {
            let fixture = try ClientFixture()
            let trainer = try fixture.client(as: "trainer-t")
            let approver = try fixture.client(as: "approver-a")

            let registered = try trainer.register(try fixture.candidate())
            #expect(registered.subject == "support-bot@1")
            #expect(registered.status == .pendingApproval)
            #expect(registered.createdBy == "trainer-t")
            #expect(Set(registered.files.map(\.path)) == ["adapter_config.json", "adapter_model.safetensors"])

            let own = clientError { _ = try trainer.approve(VersionReference(name: "support-bot", version: 1), note: nil) }
            #expect(own?.serverCode == "forbidden")
            #expect(own.map { "\($0)" }?.contains("approver") == true)

            let approved = try approver.approve(VersionReference(name: "support-bot", version: 1), note: "eval reviewed")
            #expect(approved.status == .approved)
            #expect(approved.decidedBy == "approver-a")
            let move = try approver.promote(VersionReference(name: "support-bot", version: 1), to: .production)
            #expect(move.version == 1 && move.previousVersion == nil && move.actor == "approver-a")
            #expect(try trainer.list(name: "support-bot").map(\.aliases) == [[.production]])
            #expect(try trainer.aliasHistory(name: "support-bot").map(\.version) == [1])

            let verified = try trainer.verify(VersionReference(name: "support-bot", version: 1))
            #expect(verified.signatureSHA256 == registered.signatureSHA256)
            let state = try #require(try trainer.witness.state())
            #expect(state.url == fixture.server.server.url)
            let entries = try trainer.auditLog()
            #expect(entries.suffix(3).map(\.action) == ["register", "approve", "promote"])
            #expect(state.checkpoints.last?.treeSize == entries.count)
            let audit = try trainer.verifyAudit()
            #expect(audit.ok, "\(audit)")
            #expect(audit.entries == entries.count)
        }

        @Test func aSecondPromotionOfTheSameAliasTargetsTheHolderItRead() throws {
            let fixture = try ClientFixture()
            let trainer = try fixture.client(as: "trainer-t")
            let approver = try fixture.client(as: "approver-a")
            for version in 1...2 {
                _ = try trainer.register(try fixture.candidate())
                _ = try approver.approve(VersionReference(name: "support-bot", version: version), note: nil)
            }
            _ = try approver.promote(VersionReference(name: "support-bot", version: 1), to: .staging)
            let second = try approver.promote(VersionReference(name: "support-bot", version: 2), to: .staging)
            #expect(second.previousVersion == 1)
            let back = try approver.rollback(name: "support-bot", alias: .staging)
            #expect(back.version == 1 && back.action == "rollback")
        }

        @Test func aBadTokenIsRefusedNamingTheVariablesNeverTheToken() throws {
            let fixture = try ClientFixture()
            var environment = fixture.environment(as: "trainer-t")
            environment["QUENCH_REGISTRY_TOKEN"] = "qrt-not-a-real-token-0123456789"
            let client = try RemoteRegistry.connect(fixture.server.server.url, environment: environment)
            let refused = clientError { _ = try client.list(name: nil) }
            #expect(refused == .unauthorized(url: fixture.server.server.url))
            #expect(refused.map { "\($0)" }?.contains("QUENCH_REGISTRY_TOKEN_FILE") == true)
            #expect(refused.map { "\($0)" }?.contains("qrt-not-a-real") == false)
        }

        @Test func plainHTTPToAnotherHostAndCredentialsInTheURLAreRefused() throws {
            let folder = try TemporaryDirectory("client-url")
            let environment = ["QUENCH_REGISTRY_TOKEN": "qrt-some-token-0123456789", "XDG_STATE_HOME": folder.url.path]
            let remote = try RemoteRegistry.connect("http://registry.example:8080", environment: environment)
            #expect(clientError { _ = try remote.list(name: nil) } == .insecureURL(url: "http://registry.example:8080"))
            let withPassword = clientError { _ = try RemoteRegistry.connect("https://ana:secret@registry.example", environment: environment) }
            guard case .invalidURL(let url, _)? = withPassword else { Issue.record("got \(String(describing: withPassword))"); return }
            #expect(!url.contains("secret"))
            #expect(clientError { _ = try RemoteRegistry.connect("https://registry.example", environment: ["XDG_STATE_HOME": folder.url.path]) }
                == .tokenMissing(url: "https://registry.example"))
        }
    }
}
