import Foundation
@testable import QuenchJobs
@testable import QuenchRegistry
import QuenchTestSupport
import Testing

/// The register stage registers the signed, gated adapter in the run's Quench home as the run's
/// environment names its actor, with the lineage the earlier stages recorded.
@Suite struct RegisterStageTests {
    @Test func theGatedAdapterIsRegisteredPendingApprovalWithItsLineage() throws {
        let settings = try TemporaryDirectory("register")
        let user = try RegistryActor.osUser()
        let config = try settings.file("registry.yaml", lines: [
            "roles:", "  trainer-t: [trainer]", "service_accounts:", "  trainer-t: {run_by: [\(user)]}",
        ])
        let fixture = try StageFixture(environment: ["QUENCH_REGISTRY_CONFIG": config.path, "QUENCH_ACTOR": "trainer-t",
                                                     "USER": user])
        let finished = try fixture.run(through: .gate)
        let fetch = try #require(finished.fetch), verify = try #require(finished.verify), data = try #require(finished.data)
        let train = try #require(finished.train), gate = try #require(finished.gate)
        let sign = try SignStage(train: train, modelName: "stage-job", home: fixture.context.home).run { _ in }
        let stage = RegisterStage(context: fixture.context, lineage: RunLineage(fetch: fetch, verify: verify, data: data),
                                  train: train, gate: gate, sign: sign)
        #expect(try stage.inputs() == ["signature": sign.sha256, "name": "stage-job", "gate": gate.evaluatedAt])

        let output = try stage.run { _ in }
        #expect(output.name == "stage-job" && output.version == 1)
        #expect(output.status == VersionStatus.pendingApproval.rawValue)
        #expect(output.createdBy == "trainer-t")
        #expect(output.registry == fixture.context.home.root.path)
        let registry = try Registry.open(home: fixture.context.home.root, config: config,
                                         environment: fixture.context.environment)
        let version = try registry.show(VersionReference(name: "stage-job", version: 1))
        #expect(version.lineage.datasets.map(\.records) == [40, 8])
        #expect(version.lineage.jobSpecSHA256 == fixture.context.spec.sha256)
    }
}
