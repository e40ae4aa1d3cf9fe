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
    /// - Parameter scrub: removes secrets from the failing examples the report quotes (see `decide`).
    /// - Returns: the report; `passed` is the verdict.
    /// - Throws: `EvalError` for a broken gate, a missing file, an empty set or bad settings (all
    ///   checked before any model runs), or the model and dataset readers' errors. A model that
    ///   fails a threshold is not an error: it returns a report with `passed == false`.
    public static func run(gate: URL, base: URL, tuned: TunedModel, output: URL, quenchVersion: String,
                           verifying check: FileCheck? = nil, scrub: (String) -> String,
                           progress: (String) -> Void = { _ in }) throws -> GateReport {
        let config = try GateConfig.load(contentsOf: gate)
        let evaluation = try evaluate(config, base: base, tuned: tuned, verifying: check, progress: progress)
        let report = try decide(config, evaluation: evaluation, quenchVersion: quenchVersion, scrub: scrub,
                                progress: progress)
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
        progress("gate \(config.file.path): \(config.lossSets.count) loss set(s), \(config.generativeSets.count) generative "
                 + "set(s), \(config.windowing), context \(config.context)")
        let request = EvalRequest(base: base, tuned: tuned, sets: config.lossSets.map(\.source),
                                  tasks: config.generativeSets.compactMap(\.taskSource), options: config.options)
        return try ModelEvaluation.run(request, verifying: check, progress: progress)
    }

    /// Applies the thresholds of `config` to `evaluation` (made by `evaluate` with this gate) and
    /// hashes every file the verdict depends on. Loss checks come first, then accuracy checks; for each
    /// generative set with a failed check the report quotes up to three of the tuned model's wrong
    /// answers (prompt, expected, got), each passed through `scrub` so no secret in a prompt or an
    /// answer reaches gate.json or gate.md.
    /// - Throws: `EvalError.invalidSetting` naming the gate file when `evaluation` was not made
    ///   with it (no tuned model, another windowing or context, a set missing or scored with other
    ///   metrics), or a hashing error.
    public static func decide(_ config: GateConfig, evaluation: EvalReport, quenchVersion: String,
                              scrub: (String) -> String, progress: (String) -> Void = { _ in }) throws -> GateReport {
        guard let tuned = evaluation.tuned, let kind = evaluation.tunedKind else {
            throw EvalError.invalidSetting(key: "tuned", reason: "the evaluation for \(config.file.path) has no tuned model to decide on")
        }
        guard evaluation.windowing == config.windowing.description, evaluation.context == config.context else {
            throw EvalError.invalidSetting(
                key: "windowing", reason: "the evaluation used \(evaluation.windowing), context \(evaluation.context), but "
                    + "\(config.file.path) asks for \(config.windowing), context \(config.context); evaluate again with this gate")
        }
        let sets = try matched(config, evaluation)
        let tasks = try matchedTasks(config, evaluation)
        let checks = GateChecks.make(config.thresholds, sets: sets) + GateChecks.accuracy(config.thresholds, tasks: tasks)
        let failed = checks.filter { !$0.passed }
        func failedMetrics(_ set: String) -> [String] { failed.filter { $0.set == set }.compactMap(\.taskMetric) }
        progress("hashing the files the verdict depends on")
        return GateReport(
            passed: checks.allSatisfy(\.passed), reason: GateReport.reason(checks, sets: sets.count + tasks.count),
            quenchVersion: quenchVersion, windowing: config.windowing.description, context: config.context,
            gate: config.file.path, baseModel: evaluation.model, tuned: tuned, tunedKind: kind, checks: checks,
            files: try files(config: config, evaluation: evaluation, tunedKind: kind), results: sets.map(\.result),
            tasks: tasks.map { $0.result(failedMetrics: failedMetrics($0.set.name), scrub: scrub) },
            evaluatedAt: ISO8601DateFormatter().string(from: Date()))
    }

    /// Each loss set of `config` with the results measured on it, found by name and file.
    /// - Throws: `EvalError.invalidSetting` when the evaluation holds another number of loss sets or lacks one.
    public static func matched(_ config: GateConfig, _ evaluation: EvalReport) throws -> [EvaluatedSet] {
        try pair(config.lossSets, with: evaluation.sets, kind: "loss set", in: config, name: \.name, path: \.path)
            .map { EvaluatedSet(set: $0, comparison: $1) }
    }

    /// Each generative set of `config` with the answers measured on it, found by name and file.
    /// - Throws: `EvalError.invalidSetting` when the evaluation holds another number of generative sets,
    ///   lacks one, or scored one with other metrics, `max_new_tokens` or stop sequences than the gate asks for.
    public static func matchedTasks(_ config: GateConfig, _ evaluation: EvalReport) throws -> [EvaluatedTask] {
        try pair(config.generativeSets, with: evaluation.tasks, kind: "generative set", in: config, name: \.name,
                 path: \.path).map { set, comparison in
            guard comparison.metrics == set.generation?.metrics, comparison.maxNewTokens == set.generation?.maxNewTokens,
                  comparison.stop == set.generation?.stop else {
                throw EvalError.invalidSetting(
                    key: "sets", reason: "the evaluation scored set '\(set.name)' with other metrics, max_new_tokens or stop sequences than "
                        + "\(config.file.path) asks for; evaluate again with this gate")
            }
            return EvaluatedTask(set: set, comparison: comparison)
        }
    }

    /// Each of `sets` with the one of `results` of the same name and file.
    private static func pair<Result>(_ sets: [GateConfig.EvalSet], with results: [Result], kind: String, in config: GateConfig,
                                     name: KeyPath<Result, String>,
                                     path: KeyPath<Result, String>) throws -> [(GateConfig.EvalSet, Result)] {
        guard results.count == sets.count else {
            throw EvalError.invalidSetting(key: "sets", reason: "the evaluation has \(results.count) \(kind)(s) but "
                                           + "\(config.file.path) has \(sets.count); evaluate again with this gate")
        }
        return try sets.map { set in
            let file = set.file.standardizedFileURL.path
            guard let result = results.first(where: { $0[keyPath: name] == set.name && $0[keyPath: path] == file }) else {
                throw EvalError.invalidSetting(key: "sets", reason: "the evaluation has no results for \(kind) '\(set.name)' "
                                               + "(\(file)) of \(config.file.path); evaluate again with this gate")
            }
            return (set, result)
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
