import Foundation
import QuenchSecurity
import Testing
@testable import QuenchRegistry

/// Registration reads the gate report and re-hashes what it names instead of trusting a flag.
@Suite struct RegistryGateTests {
    @Test func onlyAPassedUnchangedGateForTheSameArtifactsRegisters() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let trainer = try fixture.registry(as: "trainer-t")
        #expect(throws: RegistryError.self, "passed: false") { try trainer.register(try fixture.candidate(passed: false)) }
        #expect(throws: RegistryError.self, "a failed check under passed: true") { try trainer.register(try fixture.candidate(checkPassed: false)) }
        #expect(throws: RegistryError.self, "another schema") { try trainer.register(try fixture.candidate(schema: "quench.gate/v0")) }
        let changed = #expect(throws: RegistryError.self, "eval set edited after the gate") {
            try trainer.register(try fixture.candidate(tamperAfterGate: true))
        }
        guard case .gateFileChanged = changed else {
            Issue.record("expected gateFileChanged, got \(String(describing: changed))")
            return
        }

        var swapped = try fixture.candidate()
        let other = try fixture.candidate()
        swapped.artifactDirectory = other.artifactDirectory
        let notEvaluated = #expect(throws: RegistryError.self, "artifacts other than the evaluated ones") { try trainer.register(swapped) }
        guard case .evaluatedArtifactMissing = notEvaluated else {
            Issue.record("expected evaluatedArtifactMissing, got \(String(describing: notEvaluated))")
            return
        }

        let extra = try fixture.candidate()
        try Data("unevaluated".utf8).write(to: extra.artifactDirectory.appendingPathComponent("other.safetensors"))
        #expect(throws: RegistryError.self, "extra weights the gate never saw") { try trainer.register(extra) }

        #expect(try trainer.list().isEmpty, "nothing was registered by a refused request")
        #expect(try trainer.auditLog().isEmpty)

        let good = try fixture.candidate()
        let version = try trainer.register(good)
        #expect(version.status == .pendingApproval && version.createdBy == "trainer-t")
        #expect(version.files.map(\.path) == ["adapter_config.json", "adapter_model.safetensors"])
        #expect(version.metrics == ["perplexity/eval": 12.5])
        #expect(version.gateReport == String(decoding: try Data(contentsOf: good.gateReport), as: UTF8.self))
        let stored = URL(fileURLWithPath: version.artifactDirectory)
        for file in version.files {
            #expect(try FileDigest.sha256(of: stored.appendingPathComponent(file.path)) == file.sha256)
            let object = fixture.home.appendingPathComponent("objects/sha256/\(file.sha256.prefix(2))/\(file.sha256)")
            #expect(FileManager.default.fileExists(atPath: object.path), "content-addressed copy of \(file.path)")
        }
        #expect(FileManager.default.fileExists(atPath: stored.appendingPathComponent("model.sig").path))
        #expect(try trainer.show(version.reference) == version)
    }

    @Test func aSigningKeyOthersCanReadIsRefused() throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let key = fixture.root.appendingPathComponent("keys/signing.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key.path)
        #expect(throws: RegistryError.signingKeyInsecure(path: key.path, mode: "644")) { try fixture.registry(as: "trainer-t") }
    }
}
