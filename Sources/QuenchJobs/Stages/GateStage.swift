import Foundation
import QuenchEval

/// Stage 6: the verdict. It is read back from gate.json on disk (not from memory), so what the
/// report, the signature and the registry see is exactly the file that decided.
struct GateStage: Stage {
    /// The verdict and the checks behind it.
    struct Output: Codable, Sendable {
        let passed: Bool
        let reason: String
        let checks: [GateCheck]
        let report: String
    }

    static let name = StageName.gate

    func inputs(_ context: RunContext) throws -> [String: String] {
        let evaluate = try context.required(context.evaluate, .evaluate)
        return ["report": evaluate.reportPath + "#" + FileRecord.stamp(evaluate.reportPath)]
    }

    func run(_ context: RunContext, events: @escaping RunEvents) throws -> Output {
        let path = try context.required(context.evaluate, .evaluate).reportPath
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RunError.corruptState(file: path, reason: "the gate report is missing")
        }
        let report: GateReport
        do {
            report = try RunFiles.decoder.decode(GateReport.self, from: data)
        } catch {
            throw RunError.corruptState(file: path, reason: "\(error)")
        }
        let passed = report.passed && report.checks.allSatisfy(\.passed)
        return Output(passed: passed, reason: report.reason, checks: report.checks, report: path)
    }

    static func store(_ output: Output, in context: inout RunContext) { context.gate = output }

    static func summary(_ output: Output) -> String { output.reason }
}
