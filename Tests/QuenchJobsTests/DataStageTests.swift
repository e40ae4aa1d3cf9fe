import Foundation
@testable import QuenchJobs
import QuenchSecurity
import Testing

/// The data stage checks and fingerprints verified copies of the datasets, and training reads those copies.
@Suite struct DataStageTests {
    @Test func trainingReadsVerifiedCopiesInsideTheRunFolder() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .data)
        let verify = try #require(finished.verify)
        let data = try #require(finished.data)
        let run = fixture.context.directory.path
        #expect(data.trainingFiles.train == run + "/inputs/train.jsonl")
        #expect(data.trainingFiles.validation == run + "/inputs/validation.jsonl")
        for role in DatasetRole.allCases {
            let copy = try #require(data.trainingFiles[role])
            #expect(try FileDigest.sha256(of: URL(fileURLWithPath: copy)) == verify.check(role)?.file.sha256)
        }
        #expect(data.checks.train.records == 40)
        #expect(data.checks.validation?.records == 8)
        #expect(data.overlap == 0)
        #expect(data.fingerprints.map(\.role) == [.train, .validation])
    }

    @Test func aDatasetChangedAfterVerificationIsRefused() throws {
        let fixture = try StageFixture()
        let verify = try #require(try fixture.run(through: .verify).verify)
        try fixture.directory.file("train.jsonl", lines: [StageFixture.record("changed", 1)])
        let error = #expect(throws: RunError.self) {
            try DataStage(context: fixture.context, verify: verify).run { _ in }
        }
        guard case .changedSinceVerified(let role, let path, _, _)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(role == .train)
        #expect(path.hasSuffix("/train.jsonl"))
    }

    @Test func validationRecordsAlsoInTheTrainingSetRejectTheData() throws {
        let fixture = try StageFixture(overlap: 2)
        let error = #expect(throws: RunError.self) { try fixture.run(through: .data) }
        guard case .dataRejected(let reason, let report)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(reason == "2 validation record(s) also appear in the training data")
        #expect(FileManager.default.fileExists(atPath: report))
    }
}
