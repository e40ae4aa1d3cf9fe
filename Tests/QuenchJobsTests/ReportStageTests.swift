import Foundation
@testable import QuenchJobs
import Testing

/// The report stage reports what the stages that finished produced, and nothing for those that did not.
@Suite struct ReportStageTests {
    @Test func aRunThatStoppedAfterFetchIsReportedWithWhatRan() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .fetch)
        let now = Date()
        let state = RunState(job: "stage-job", spec: fixture.context.spec.file, specSHA256: fixture.context.spec.sha256,
                             quenchVersion: "test", createdAt: now, updatedAt: now, status: .failed, pid: nil, stages: [])
        let output = try ReportStage(context: fixture.context, state: state, failure: "the data was rejected",
                                     finished: finished).run { _ in }
        #expect(output.headline == "Failed: the data was rejected.")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: output.json)))
                                as? [String: Any])
        #expect(json["model"] != nil)
        #expect(json["training"] == nil && json["gate"] == nil)
        for file in [output.markdown, output.html] { #expect(FileManager.default.fileExists(atPath: file)) }
    }
}
