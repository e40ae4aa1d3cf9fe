import Foundation
@testable import QuenchJobs
@testable import QuenchRegistry
import QuenchTestSupport
import Testing

/// The register stage registers the signed, gated adapter in the run's Quench home as the run's
/// environment names its actor, with the lineage the earlier stages recorded.
@Suite struct RegisterStageTests {
    /// The register stage of `fixture`'s job after running it through the gate and signing, with the outputs it reads.
    static func stage(_ fixture: StageFixture) throws
        -> (RegisterStage, TrainStage.Output, SignStage.Output, GateStage.Output)
    {
        let finished = try fixture.run(through: .gate)
        let fetch = try #require(finished.fetch), verify = try #require(finished.verify), data = try #require(finished.data)
        let train = try #require(finished.train), gate = try #require(finished.gate)
        let sign = try SignStage(train: train, modelName: "stage-job", home: fixture.context.home).run { _ in }
        let stage = RegisterStage(context: fixture.context, lineage: RunLineage(fetch: fetch, verify: verify, data: data),
                                  train: train, gate: gate, sign: sign)
        return (stage, train, sign, gate)
    }

    @Test func theGatedAdapterIsRegisteredPendingApprovalWithItsLineage() throws {
        let settings = try TemporaryDirectory("register")
        let user = try RegistryActor.osUser()
        let config = try settings.file("registry.yaml", lines: [
            "roles:", "  trainer-t: [trainer]", "service_accounts:", "  trainer-t: {run_by: [\(user)]}",
        ])
        let fixture = try StageFixture(environment: ["QUENCH_REGISTRY_CONFIG": config.path, "QUENCH_ACTOR": "trainer-t",
                                                     "USER": user])
        let (stage, _, sign, gate) = try Self.stage(fixture)
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
        #expect(version.lineage.trainedBy == user)
    }

    /// With QUENCH_REGISTRY_URL the stage uploads the evaluated adapter to the server, which registers it
    /// as the token's user; the lineage names the OS user who trained it.
    @Test func withARegistryURLTheAdapterIsUploadedToTheServer() throws {
        let server = try TemporaryDirectory("register-server")
        let home = server.url.appendingPathComponent("home")
        let token = try RegistryServerProcess.addUser("trainer-t", roles: ["trainer"], home: home)
        let process = try RegistryServerProcess(home: home)
        defer { process.stop() }
        let user = try RegistryActor.osUser()
        let environment = ["QUENCH_REGISTRY_URL": process.url, "QUENCH_REGISTRY_TOKEN": token,
                           "XDG_STATE_HOME": server.url.appendingPathComponent("state").path, "USER": user]
        let fixture = try StageFixture(environment: environment)
        let (stage, train, _, _) = try Self.stage(fixture)
        #expect(try stage.inputs()["registry"] == process.url)

        let output = try stage.run { _ in }
        #expect(output.registry == process.url)
        #expect(output.createdBy == "trainer-t")
        #expect(output.version == 1 && output.status == VersionStatus.pendingApproval.rawValue)
        #expect(!FileManager.default.fileExists(atPath: fixture.context.home.registryDatabase.path))
        let shown = try ProcessRunner.run(RegistryServerProcess.binary, ["registry", "show", "stage-job@1", "--json"],
                                          environment: environment).checked("quench registry show")
        let version = try JSONDecoder().decode(ModelVersion.self, from: Data(shown.standardOutput.utf8))
        #expect(version.lineage.trainedBy == user)
        #expect(Set(version.files.map(\.sha256)) == Set(train.files.map(\.sha256)))
    }

    @Test func anEnvironmentAndASpecNamingDifferentServersAreRefused() throws {
        let fixture = try StageFixture()
        let job = fixture.folder.appendingPathComponent("job.yaml")
        let text = try String(contentsOf: job, encoding: .utf8) + "\n  url: https://Two.example:443/\n"
        let withURL = fixture.folder.appendingPathComponent("job-url.yaml")
        try Data(text.utf8).write(to: withURL)
        let spec = try JobSpec.load(contentsOf: withURL)
        #expect(try RegisterStage.serverURL(spec, environment: [:]) == "https://Two.example:443/")
        #expect(try RegisterStage.serverURL(spec, environment: ["QUENCH_REGISTRY_URL": "https://two.example"]) == "https://two.example")
        #expect(try RegisterStage.serverURL(fixture.context.spec, environment: [:]) == nil)
        #expect(throws: RunError.self) { try RegisterStage.serverURL(spec, environment: ["QUENCH_REGISTRY_URL": "https://one.example"]) }
    }
}
