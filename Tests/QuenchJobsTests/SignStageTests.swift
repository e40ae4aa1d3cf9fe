import Foundation
import QuenchFiles
@testable import QuenchJobs
import QuenchSecurity
import Testing

/// The sign stage signs what training wrote with the run's Quench home key pair, created on first use.
@Suite struct SignStageTests {
    @Test func theArtifactsAreSignedWithTheHomeKeyPairCreatedOnFirstUse() throws {
        let fixture = try StageFixture()
        let train = try #require(try fixture.run(through: .train).train)
        let home = fixture.context.home
        #expect(!FileManager.default.fileExists(atPath: home.signingKey.path))
        let stage = SignStage(train: train, modelName: "stage-job", home: home)
        #expect(try stage.inputs()["keys"] == home.keys.path)

        let first = try stage.run { _ in }
        #expect(FileManager.default.fileExists(atPath: home.signingKey.path))
        #expect(first.publicKey == home.signingPublicKey.path)
        #expect(first.signature == train.artifacts + "/" + ModelSigning.signatureFileName)
        #expect(first.sha256 == (try FileDigest.sha256(of: URL(fileURLWithPath: first.signature))))
        #expect(first.files == train.files.count)
        #expect(first.keyFingerprint == SigningKeys.fingerprint(of: try SigningKeys.loadPublicKey(from: home.signingPublicKey)))

        let again = try stage.run { _ in }
        #expect(again.keyFingerprint == first.keyFingerprint)
        #expect(again.rootDigest == first.rootDigest)
    }
}
