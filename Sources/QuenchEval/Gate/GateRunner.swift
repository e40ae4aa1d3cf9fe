import Foundation
import QuenchFiles
import QuenchGate
import QuenchModel
import QuenchSecurity

/// Runs a whole quality gate: validates the gate and every file first, evaluates the base and the
/// tuned model on the gate's sets, applies the thresholds, and writes `gate.json` and `gate.md`.
/// `run` does it all for the CLI; the job runner calls `evaluate` in its evaluate stage and `decide`
/// and `write` in its gate stage.
public enum GateRunner {
    /// Names of the files written into the output directory.
    public static let reportFile = "gate.json"
    public static let summaryFile = "gate.md"

    /// Decides whether `tuned` (trained from `base`) passes the gate at `gate`, writing
    /// `gate.json` and `gate.md` into `output` (created if needed; each written atomically):
    /// `evaluate`, then `decide`, then `write`.
    /// - Parameter quenchVersion: the running Quench's version, recorded in the report.
    /// - Parameter check: when given, every model and adapter file is read from bytes it accepted.
    /// - Returns: the report; `passed` is the verdict.
    /// - Throws: `EvalError` for a broken gate, a missing file, an empty set or bad settings (all
    ///   checked before any model runs), or the model and dataset readers' errors. A model that
    ///   fails a threshold is not an error: it returns a report with `passed == false`.
    public static func run(gate: URL, base: URL, tuned: TunedModel, output: URL, quenchVersion: String,
                           verifying check: FileCheck? = nil, progress: (String) -> Void = { _ in }) throws -> GateReport {
        let config = try GateConfig.load(contentsOf: gate)
        let evaluation = try evaluate(config, base: base, tuned: tuned, verifying: check, progress: progress)
        let report = try decide(config, evaluation: evaluation, quenchVersion: quenchVersion, progress: progress)
        try write(report, to: output)
        return report
    }

    /// Evaluates the base and the tuned model on the sets of `config` with its windowing and
    /// context; no threshold is applied here (that is `decide`).
    /// - Throws: `EvalError` for a missing model file or set, the readers' and the check's errors.
    public static func evaluate(_ config: GateConfig, base: URL, tuned: TunedModel, verifying check: FileCheck? = nil,
                                progress: (String) -> Void = { _ in }) throws -> EvalReport {
        try tuned.check()
        guard FileManager.default.fileExists(atPath: base.path) else {
            throw EvalError.unreadable(file: base.path, reason: "no such file (expected the base model here)")
        }
        progress("gate \(config.file.path): \(config.sets.count) set(s), \(config.windowing), context \(config.context)")
        let request = EvalRequest(base: base, tuned: tuned, sets: config.sets.map(\.source), options: config.options)
        return try ModelEvaluation.run(request, verifying: check, progress: progress)
    }

    /// Applies the thresholds of `config` to `evaluation` (made by `evaluate` with this gate) and
    /// hashes every file the verdict depends on.
    /// - Throws: `EvalError.invalidSetting` naming the gate file when `evaluation` was not made
    ///   with it (no tuned model, another windowing or context, a set missing), or a hashing error.
    public static func decide(_ config: GateConfig, evaluation: EvalReport, quenchVersion: String,
                              progress: (String) -> Void = { _ in }) throws -> GateReport {
        guard let tuned = evaluation.tuned, let kind = evaluation.tunedKind else {
            throw EvalError.invalidSetting(key: "tuned", reason: "the evaluation for \(config.file.path) has no tuned model to decide on")
        }
        guard evaluation.windowing == config.windowing.description, evaluation.context == config.context else {
            throw EvalError.invalidSetting(
                key: "windowing", reason: "the evaluation used \(evaluation.windowing), context \(evaluation.context), but "
                    + "\(config.file.path) asks for \(config.windowing), context \(config.context); evaluate again with this gate")
        }
        let sets = try matched(config, evaluation)
        let checks = GateChecks.make(config.thresholds, sets: sets)
        progress("hashing the files the verdict depends on")
        return GateReport(
            passed: checks.allSatisfy(\.passed), reason: GateReport.reason(checks, sets: sets.count),
            quenchVersion: quenchVersion, windowing: config.windowing.description, context: config.context,
            gate: config.file.path, baseModel: evaluation.model, tuned: tuned, tunedKind: kind, checks: checks,
            files: try files(config: config, evaluation: evaluation, tunedKind: kind), results: sets.map(\.result),
            evaluatedAt: ISO8601DateFormatter().string(from: Date()))
    }

    /// Each set of `config` with the results measured on it, found by name and file.
    public static func matched(_ config: GateConfig, _ evaluation: EvalReport) throws -> [EvaluatedSet] {
        guard evaluation.sets.count == config.sets.count else {
            throw EvalError.invalidSetting(key: "sets", reason: "the evaluation has \(evaluation.sets.count) set(s) but "
                                           + "\(config.file.path) has \(config.sets.count); evaluate again with this gate")
        }
        return try config.sets.map { set in
            let path = set.file.standardizedFileURL.path
            guard let comparison = evaluation.sets.first(where: { $0.name == set.name && $0.path == path }) else {
                throw EvalError.invalidSetting(key: "sets", reason: "the evaluation has no results for set '\(set.name)' "
                                               + "(\(path)) of \(config.file.path); evaluate again with this gate")
            }
            return EvaluatedSet(set: set, comparison: comparison)
        }
    }

    /// Every file the verdict depends on, absolute, with its sha256.
    static func files(config: GateConfig, evaluation: EvalReport, tunedKind: TunedModelKind) throws -> [GateReport.File] {
        var entries: [(GateReport.FileRole, String)] = [(.gate, config.file.path)] + config.sets.map { (.evalSet, $0.file.path) }
        entries += evaluation.modelFiles.map { (.baseModel, $0) }
        entries += (evaluation.tunedFiles ?? []).map { (.tuned(tunedKind), $0) }
        return try entries.map { role, path in
            GateReport.File(role: role, path: path, sha256: try FileDigest.sha256(of: URL(fileURLWithPath: path)))
        }
    }

    /// Writes `gate.json` and `gate.md` into `directory`, each through a temporary file and rename.
    public static func write(_ report: GateReport, to directory: URL) throws {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw EvalError.writeFailed(path: directory.path, reason: error.localizedDescription)
        }
        do {
            try AtomicFile.write(try report.encoded(), to: directory.appendingPathComponent(reportFile))
            try AtomicFile.write(Data(report.markdown().utf8), to: directory.appendingPathComponent(summaryFile))
        } catch AtomicFile.Failure.unwritable(let path, let reason) {
            throw EvalError.writeFailed(path: path, reason: reason)
        }
    }
}
