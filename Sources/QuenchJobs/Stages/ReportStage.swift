import Foundation
import QuenchFiles
import QuenchGovernance
import QuenchSecurity

/// Last stage, run even after a failure or a rejection: report.json, report.md, report.html and the
/// compliance report, each passed through the secret scrubber (every secret the process holds,
/// credentials in URLs, detected credentials) before it is written.
struct ReportStage: Stage {
    /// The three report files.
    struct Output: Codable, Sendable {
        let json: String
        let markdown: String
        let html: String
        let headline: String
    }

    static let name = StageName.report
    let context: RunContext
    let state: RunState
    let failure: String?
    /// What the stages that finished produced.
    let finished: FinishedStages

    /// Always different, so the report is rewritten on every (re)run.
    func inputs() throws -> [String: String] { ["written": UUID().uuidString] }

    func run(events: @escaping RunEvents) throws -> Output {
        let directory = context.directory
        let scrubber = SecretScrubber()
        let compliance = try ComplianceReport(facts: ComplianceFacts(context: context, finished: finished)).write(to: directory.url, scrubber: scrubber)
        let report = RunReport(
            job: context.spec.name, spec: context.spec.file, specSHA256: context.spec.sha256,
            quenchVersion: context.quenchVersion, runDirectory: directory.path, status: state.status, failure: failure,
            createdAt: state.createdAt, finishedAt: Date(), stages: state.stages.filter { $0.name != .report },
            model: finished.fetch, files: finished.verify, data: finished.data, training: finished.train,
            trainingConfiguration: context.spec.training,
            precision: .init(training: context.spec.training, trained: finished.train, evaluated: finished.evaluate),
            curve: finished.train.map { TrainingCurve.read(metrics: URL(fileURLWithPath: $0.metrics)) },
            evaluation: finished.evaluate,
            accuracy: TaskAccuracyRow.table(finished.evaluate), gate: finished.gate, signature: finished.sign, registry: finished.register,
            compliance: ["compliance.json": compliance.json.lastPathComponent, "compliance.md": compliance.markdown.lastPathComponent])
        let json = try RunFiles.prettyEncoder.encode(report)
        try AtomicFile.write(Data(scrubber.scrub(String(decoding: json, as: UTF8.self)).utf8), to: directory.reportJSON)
        try AtomicFile.write(Data(scrubber.scrub(MarkdownReport.render(report)).utf8), to: directory.reportMarkdown)
        try AtomicFile.write(Data(scrubber.scrub(HTMLReport.render(report)).utf8), to: directory.reportHTML)
        return Output(json: directory.reportJSON.path, markdown: directory.reportMarkdown.path,
                      html: directory.reportHTML.path, headline: report.headline)
    }

    static func summary(_ output: Output) -> String { output.headline }
}
