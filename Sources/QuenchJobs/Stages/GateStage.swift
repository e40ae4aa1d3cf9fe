import Foundation
import QuenchEval
import QuenchGate
import QuenchGovernance

/// Stage 6: the verdict. The gate's thresholds are applied here, and only here, to the evaluate
/// stage's numbers; gate.json and gate.md are written into the run's evaluation folder, and
/// gate.json is what the registry re-checks.
struct GateStage: Stage {
    /// The verdict and the checks behind it.
    struct Output: Codable, Sendable {
        let passed: Bool
        let reason: String
        let checks: [GateCheck]
        /// gate.json and gate.md.
        let report: String
        let summary: String
        /// When the verdict was reached (ISO 8601, UTC), as gate.json records it.
        let evaluatedAt: String
    }

    static let name = StageName.gate
    let context: RunContext
    let evaluation: EvaluateStage.Output

    func inputs() throws -> [String: String] {
        ["gate_file": context.spec.gate + "#" + FileRecord.stamp(context.spec.gate),
         "evaluation": try RunFiles.digest(evaluation.evaluation)]
    }

    func run(events: @escaping RunEvents) throws -> Output {
        let gate = try GateConfig.load(contentsOf: URL(fileURLWithPath: context.spec.gate))
        let report = try GateRunner.decide(gate, evaluation: evaluation.evaluation, quenchVersion: context.quenchVersion,
                                           scrub: SecretScrubber().scrub, progress: { events(.message($0)) })
        let folder = context.directory.evaluation
        try GateRunner.write(report, to: folder)
        return Output(passed: report.passed, reason: report.reason,
                      checks: report.checks, report: folder.appendingPathComponent(GateRunner.reportFile).path,
                      summary: folder.appendingPathComponent(GateRunner.summaryFile).path, evaluatedAt: report.evaluatedAt)
    }

    static func summary(_ output: Output) -> String { output.reason }
}
