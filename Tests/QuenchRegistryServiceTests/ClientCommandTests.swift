import Foundation
import QuenchRegistry
import QuenchTestSupport
import Testing

extension RegistryServiceTests {
    /// The `quench` CLI against a server: QUENCH_REGISTRY_URL and QUENCH_REGISTRY_TOKEN in the process
    /// environment (never argv), the same commands and output as the embedded registry.
    @Suite struct ClientCommandTests {
        func quench(_ arguments: [String], _ fixture: ClientFixture, as user: String) throws -> ProcessResult {
            try ProcessRunner.run(RegistryServerProcess.binary, arguments, environment: fixture.environment(as: user))
        }

        @Test func theCLIListsApprovesAndVerifiesTheAuditThroughTheServer() throws {
            let fixture = try ClientFixture()
            _ = try fixture.client(as: "trainer-t").register(try fixture.candidate())

            let listed = try quench(["registry", "list", "--json"], fixture, as: "approver-a").checked("quench registry list")
            let versions = try JSONDecoder().decode([ModelVersion].self, from: Data(listed.standardOutput.utf8))
            #expect(versions.map(\.subject) == ["support-bot@1"])
            #expect(versions.first?.status == .pendingApproval)

            let own = try quench(["registry", "approve", "support-bot@1"], fixture, as: "trainer-t")
            #expect(own.status != 0)
            #expect(own.standardError.contains("forbidden"), "\(own.output)")

            let approved = try quench(["registry", "approve", "support-bot@1", "--note", "reviewed"], fixture, as: "approver-a")
                .checked("quench registry approve")
            #expect(approved.standardOutput.contains("approved support-bot@1"))
            let shown = try quench(["registry", "show", "support-bot@1", "--json"], fixture, as: "trainer-t").checked("quench registry show")
            #expect(try JSONDecoder().decode(ModelVersion.self, from: Data(shown.standardOutput.utf8)).decidedBy == "approver-a")

            let verified = try quench(["registry", "verify", "support-bot@1"], fixture, as: "approver-b").checked("quench registry verify")
            #expect(verified.standardOutput.contains("against the pinned key"), "\(verified.output)")
            let audit = try quench(["audit", "verify"], fixture, as: "trainer-t").checked("quench audit verify")
            #expect(audit.standardOutput.contains("audit log intact"), "\(audit.output)")
            for result in [listed, own, approved, shown, verified, audit] {
                for token in fixture.server.tokens.values { #expect(!result.output.contains(token)) }
            }
        }

        @Test func homeAndConfigAreRefusedWithAServer() throws {
            let fixture = try ClientFixture()
            let refused = try quench(["registry", "list", "--home", fixture.server.home.path], fixture, as: "trainer-t")
            #expect(refused.status != 0)
            #expect(refused.standardError.contains("--home and --config"), "\(refused.output)")
        }
    }
}
