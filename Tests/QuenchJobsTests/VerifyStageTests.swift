import Foundation
@testable import QuenchJobs
import QuenchSecurity
import Testing

/// The verify stage hashes every file the run depends on, each under its role, against the spec's pins.
@Suite struct VerifyStageTests {
    @Test func everyInputIsCheckedUnderItsRole() throws {
        let verify = try #require(try StageFixture().run(through: .verify).verify)
        #expect(verify.checks.map(\.role) == [.model, .model, .model, .train, .validation])
        #expect(verify.modelFiles.count == 3)
        #expect(verify.checks.filter { $0.role == .model }.allSatisfy { $0.pinned == $0.file.sha256 })
        #expect(verify.check(.train)?.file.path.hasSuffix("/train.jsonl") == true)
        #expect(verify.check(.validation)?.file.path.hasSuffix("/valid.jsonl") == true)
        #expect(verify.check(.train)?.pinned == nil)
    }

    @Test func aDatasetPinThatDoesNotMatchStopsTheRunNamingTheDataset() throws {
        let wrong = String(repeating: "0", count: 64)
        let fixture = try StageFixture(dataPins: "{validation: \(wrong)}")
        let error = #expect(throws: RunError.self) { try fixture.run(through: .verify) }
        guard case .hashMismatch(let subject, let path, let expected, _)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(subject == "validation data")
        #expect(path.hasSuffix("/valid.jsonl"))
        #expect(expected == wrong)
    }

    @Test func aMatchingDatasetPinIsRecorded() throws {
        // Every fixture writes the same training records, so this one's hash is the pinned one's.
        let unpinned = try StageFixture()
        let train = try FileDigest.sha256(of: unpinned.folder.appendingPathComponent("train.jsonl"))
        let verify = try #require(try StageFixture(dataPins: "{train: \(train)}").run(through: .verify).verify)
        #expect(verify.check(.train)?.pinned == train)
    }
}
