import Foundation
import QuenchModel
import QuenchSecurity

/// Runs a whole quality gate: validates the gate and every file first, evaluates the base and the
/// tuned model on the gate's sets, applies the thresholds, and writes `gate.json` and `gate.md`.
/// The one entry point for the CLI and the job runner.
public enum GateRunner {
    /// Names of the files written into the output directory.
    public static let reportFile = "gate.json"
    public static let summaryFile = "gate.md"

    /// Decides whether `tuned` (trained from `base`) passes the gate at `gate`, writing
    /// `gate.json` and `gate.md` into `output` (created if needed; each written atomically).
    /// - Parameter quenchVersion: the running Quench's version, recorded in the report.
    /// - Parameter check: when given, every model and adapter file is read from bytes it accepted.
    /// - Returns: the report; `passed` is the verdict.
    /// - Throws: `EvalError` for a broken gate, a missing file, an empty set or bad settings (all
    ///   checked before any model runs), or the model and dataset readers' errors. A model that
    ///   fails a threshold is not an error: it returns a report with `passed == false`.
    public static func run(gate: URL, base: URL, tuned: TunedModel, output: URL, quenchVersion: String,
                           verifying check: FileCheck? = nil, progress: (String) -> Void = { _ in }) throws -> GateReport {
        let config = try GateConfig.load(contentsOf: gate)
        try tuned.check()
        guard FileManager.default.fileExists(atPath: base.path) else {
            throw EvalError.unreadable(file: base.path, reason: "no such file (expected the base model here)")
        }
        progress("gate \(config.file.path): \(config.sets.count) set(s), \(config.windowing), context \(config.context)")
        let request = EvalRequest(base: base, tuned: tuned, sets: config.sets.map(\.source), options: config.options)
        let evaluation = try ModelEvaluation.run(request, verifying: check, progress: progress)
        let checks = GateChecks.make(config.thresholds, sets: config.sets, results: evaluation.sets)
        progress("hashing the files the verdict depends on")
        let report = GateReport(
            schema: GateReport.schemaName, passed: checks.allSatisfy(\.passed),
            reason: GateReport.reason(checks, sets: config.sets.count), quenchVersion: quenchVersion,
            windowing: config.windowing.description, context: config.context, gate: config.file.path,
            baseModel: evaluation.model, tuned: evaluation.tuned ?? tuned.url.path, tunedKind: tuned.kind,
            checks: checks, files: try files(config: config, evaluation: evaluation, tuned: tuned),
            results: zip(config.sets, evaluation.sets).map {
                GateReport.SetResult(role: $0.role.rawValue, format: $0.format?.rawValue ?? ($0.source.isText ? "txt" : "auto"),
                                     comparison: $1)
            },
            evaluatedAt: ISO8601DateFormatter().string(from: Date()))
        try write(report, to: output)
        return report
    }

    /// Every file the verdict depends on, absolute, with its sha256.
    static func files(config: GateConfig, evaluation: EvalReport, tuned: TunedModel) throws -> [GateReport.File] {
        var entries: [(String, String)] = [("gate", config.file.path)] + config.sets.map { ("eval_set", $0.file.path) }
        entries += evaluation.modelFiles.map { ("base_model", $0) }
        entries += (evaluation.tunedFiles ?? []).map { (tuned.kind == "adapter" ? "adapter" : "tuned_model", $0) }
        return try entries.map { role, path in
            GateReport.File(role: role, path: path, sha256: try FileDigest.sha256(of: URL(fileURLWithPath: path)))
        }
    }

    /// Writes `gate.json` and `gate.md` into `directory`, each through a temporary file and rename.
    static func write(_ report: GateReport, to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EvalError.writeFailed(path: directory.path, reason: error.localizedDescription)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf",
                                                                      nan: "nan")
        do {
            try AtomicFile.write(try encoder.encode(report), to: directory.appendingPathComponent(reportFile))
            try AtomicFile.write(Data(report.markdown().utf8), to: directory.appendingPathComponent(summaryFile))
        } catch AtomicFile.Failure.unwritable(let path, let reason) {
            throw EvalError.writeFailed(path: path, reason: reason)
        }
    }
}
