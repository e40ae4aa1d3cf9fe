import Foundation
@testable import QuenchEval
import QuenchGate
@testable import QuenchJobs
import Testing

/// The gate stage applies the gate's thresholds to the evaluate stage's numbers and writes gate.json.
@Suite struct GateStageTests {
    @Test func theVerdictIsWrittenToGateJSONWithEveryFileByRole() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .gate)
        let gate = try #require(finished.gate)
        #expect(gate.passed)
        #expect(gate.reason.hasPrefix("passed: all 2 checks held on 1 set"), "\(gate.reason)")
        let report = try GateReport.decode(Data(contentsOf: URL(fileURLWithPath: gate.report)))
        #expect(report.passed && report.checks == gate.checks && report.evaluatedAt == gate.evaluatedAt)
        #expect(report.tunedKind == .adapter)
        #expect(Set(report.files.map(\.role)) == [.gate, .evalSet, .baseModel, .adapter])
        #expect(report.results.map(\.role) == [.task])
        let train = try #require(finished.train)
        #expect(Set(report.files.filter(\.role.isTuned).map(\.sha256)).isSubset(of: Set(train.files.map(\.sha256))))
        #expect(FileManager.default.fileExists(atPath: gate.summary))
    }

    /// Roles are read as the schema's roles: a report naming another one is refused, never read as a string.
    @Test func aGateReportNamingAnUnknownFileRoleIsRefused() throws {
        let fixture = try StageFixture()
        let gate = try #require(try fixture.run(through: .gate).gate)
        let text = try String(contentsOfFile: gate.report, encoding: .utf8)
        #expect(text.contains(#""role" : "adapter""#) && text.contains(#""tuned_kind" : "adapter""#))
        let renamed = Data(text.replacingOccurrences(of: #""role" : "adapter""#, with: #""role" : "weights""#).utf8)
        let error = #expect(throws: DecodingError.self) { try GateReport.decode(renamed) }
        #expect("\(String(describing: error))".contains("weights"))
    }

    @Test func newThresholdsChangeTheVerdictWithoutEvaluatingAgain() throws {
        let fixture = try StageFixture()
        let finished = try fixture.run(through: .evaluate)
        let evaluate = try #require(finished.evaluate)
        let evaluateStage = try EvaluateStage(context: fixture.context, fetch: #require(finished.fetch),
                                              verify: #require(finished.verify), train: #require(finished.train))
        let stage = GateStage(context: fixture.context, evaluation: evaluate)
        let (inputs, evaluateInputs) = (try stage.inputs(), try evaluateStage.inputs())
        try StageFixture.writeGate(in: fixture.folder, set: "held-out", thresholds: "{max_loss: 0.001}")
        #expect(try stage.inputs() != inputs)
        #expect(try evaluateStage.inputs() == evaluateInputs, "a threshold change does not evaluate again")
        let gate = try stage.run { _ in }
        #expect(!gate.passed)
        #expect(gate.reason.hasPrefix("failed max_loss on held-out: tuned mean loss"), "\(gate.reason)")
    }

    @Test func aGateWhoseSetsChangedSinceTheEvaluationIsRefused() throws {
        let fixture = try StageFixture()
        let evaluate = try #require(try fixture.run(through: .evaluate).evaluate)
        try StageFixture.writeGate(in: fixture.folder, set: "renamed", thresholds: "{max_loss: 100}")
        let error = #expect(throws: EvalError.self) {
            try GateStage(context: fixture.context, evaluation: evaluate).run { _ in }
        }
        guard case .invalidSetting(let key, let reason)? = error else {
            Issue.record("\(String(describing: error))")
            return
        }
        #expect(key == "sets")
        #expect(reason.contains("'renamed'") && reason.contains("gate.yaml"), "\(reason)")
    }
}
