import Foundation
import QuenchHTML

/// `report.html`: one self-contained page (inline CSS and SVG, no scripts or fonts to fetch) with
/// the verdict (with failing examples when an accuracy check rejected the model), the loss curves,
/// the before/after tables of loss and task accuracy, the answers that changed, the gate's checks and the lineage.
enum HTMLReport {
    static func render(_ report: RunReport) -> String {
        let verdictClass = report.status == .succeeded ? "pass" : "fail"
        var body = "<header><h1>\(e(report.job))</h1><p class=\"verdict \(verdictClass)\">\(e(report.headline))</p>"
        body += rejectedExamples(report.rejectedTaskSets)
        body += "<p class=\"muted\">Run <code>\(e(report.runDirectory))</code> · Quench \(e(report.quenchVersion)) · finished \(e(ISO8601DateFormatter().string(from: report.finishedAt)))</p></header>"
        body += section("Training loss", report.curve.map { LossChartSVG.render($0.chartPoints) } ?? "<p class=\"muted\">Training did not run.</p>")
        if let evaluation = report.evaluation, !evaluation.sets.isEmpty { body += section("Before and after", evaluationTable(evaluation)) }
        if let tasks = report.evaluation?.evaluation.tasks, !tasks.isEmpty { body += section("Task accuracy", taskAccuracy(tasks)) }
        if let gate = report.gate { body += section("Quality gate: \(gate.passed ? "passed" : "failed")", gateTable(gate)) }
        body += section("Stages", stagesTable(report.stages))
        body += section("Lineage", lineage(report))
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(report.job)): \(e(report.status.rawValue))</title><style>\(style)\(taskStyle)</style></head>
            <body>\(body)</body></html>

            """
    }

    private static func section(_ title: String, _ content: String) -> String {
        "<section><h2>\(e(title))</h2>\(content)</section>"
    }

    private static func evaluationTable(_ evaluation: EvaluateStage.Output) -> String {
        var rows = "<tr><th>set</th><th>role</th><th>windowing</th><th>tokens</th><th>base loss</th><th>tuned loss</th><th>base perplexity</th><th>tuned perplexity</th><th>change</th></tr>"
        for set in evaluation.sets {
            rows += "<tr><td>\(e(set.name))</td><td>\(e(set.role.rawValue))</td><td>\(e(set.windowing))</td><td class=\"num\">\(set.tuned.tokens)</td>"
                + "<td class=\"num\">\(MarkdownReport.n(set.base.loss))</td><td class=\"num\">\(MarkdownReport.n(set.tuned.loss))</td>"
                + "<td class=\"num\">\(MarkdownReport.n(set.base.perplexity))</td><td class=\"num\">\(MarkdownReport.n(set.tuned.perplexity))</td>"
                + "<td class=\"num\">\(MarkdownReport.percent(set.perplexityChange))</td></tr>"
        }
        return "<table>\(rows)</table>"
    }

    private static func gateTable(_ gate: GateStage.Output) -> String {
        var rows = "<tr><th>check</th><th>set</th><th>value</th><th>threshold</th><th>result</th></tr>"
        for check in gate.checks {
            rows += "<tr class=\"\(check.passed ? "pass" : "fail")\"><td>\(e(check.name))</td><td>\(e(check.set))</td>"
                + "<td class=\"num\">\(MarkdownReport.n(check.value))</td><td class=\"num\">\(MarkdownReport.n(check.threshold))</td>"
                + "<td>\(check.passed ? "pass" : "fail")</td></tr>"
        }
        return "<p>\(e(gate.reason))</p><table>\(rows)</table>"
    }

    private static func stagesTable(_ stages: [RunState.StageRecord]) -> String {
        var rows = "<tr><th>stage</th><th>status</th><th>seconds</th><th>result</th></tr>"
        for stage in stages {
            rows += "<tr><td>\(e(stage.name.rawValue))</td><td>\(e(stage.status.rawValue))</td>"
                + "<td class=\"num\">\(stage.seconds.map { String(format: "%.1f", $0) } ?? "")</td><td>\(e(stage.summary))</td></tr>"
        }
        return "<table>\(rows)</table>"
    }

    private static func lineage(_ report: RunReport) -> String {
        var items: [String] = ["Job spec <code>\(e(report.spec))</code>, sha256 <code>\(e(report.specSHA256))</code>"]
        if let model = report.model {
            let origin = model.repo.map { "\($0) at commit \(model.commit ?? model.revision ?? "")" } ?? model.location
            items.append("Base model: \(e(origin))")
        }
        if let remote = report.training?.remote { items.append(e(remote.lineage)) }
        items.append(e(report.precision.sentence))
        for check in report.files?.checks ?? [] {
            items.append("\(e(check.role.rawValue)): <code>\(e(check.file.path))</code> sha256 <code>\(e(check.file.sha256))</code>\(check.pinned != nil ? " (matches its pin)" : "")")
        }
        for fingerprint in report.data?.fingerprints ?? [] {
            items.append("\(e(fingerprint.role.rawValue)) fingerprint <code>\(e(fingerprint.sha256))</code> over \(fingerprint.records) records")
        }
        if let signature = report.signature {
            items.append("Signature <code>\(e(signature.signature))</code>, sha256 <code>\(e(signature.sha256))</code>")
        }
        if let registry = report.registry {
            items.append("Registry: \(e(registry.name))@\(registry.version), \(e(registry.status))")
        }
        for (name, path) in report.compliance.sorted(by: { $0.key < $1.key }) {
            items.append("Compliance report: <a href=\"\(e(path))\">\(e(name))</a>")
        }
        return "<ul>" + items.map { "<li>\($0)</li>" }.joined() + "</ul>"
    }

    /// Escapes text for HTML element content and attribute values.
    static func e(_ text: String) -> String { HTMLText.escaped(text) }

    private static let style = """
        body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#1d1d1f}
        h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ddd;padding-bottom:.2rem;margin-top:2rem}
        .verdict{font-size:1.15rem;font-weight:600;padding:.5rem .8rem;border-radius:6px}
        .verdict.pass{background:#e6f4ea;color:#137333}.verdict.fail{background:#fce8e6;color:#a50e0e}
        .muted{color:#666}table{border-collapse:collapse;width:100%;font-size:14px}
        th,td{border-bottom:1px solid #eee;padding:.35rem .5rem;text-align:left;vertical-align:top}
        td.num{text-align:right;font-variant-numeric:tabular-nums}tr.fail td{background:#fdf1f0}
        code{font-size:12px;word-break:break-all}
        \(LossChartSVG.css)
        """
}
