import QuenchGate
import QuenchRegistry

extension VersionPage {
    /// The gate's verdict, its one-line reason and every check; or why the recorded report cannot be shown.
    static func gateSection(_ gate: RecordedGate) -> String {
        switch gate {
        case .unreadable(let reason):
            return "<p id=\"gate-unreadable\" class=\"notice\">The gate report recorded with this version cannot be read: \(PageHTML.text(reason))</p>"
        case .report(let report):
            let rows = report.checks.map { check in
                "<tr class=\"\(check.passed ? "pass" : "fail")\">" + PageHTML.cell(PageHTML.text(check.name)) + PageHTML.cell(PageHTML.text(check.set))
                    + PageHTML.cell(PageHTML.text(check.metric)) + PageHTML.cell(check.value.map(GateCheck.format) ?? "not a number", numeric: true)
                    + PageHTML.cell(GateCheck.format(check.threshold), numeric: true)
                    + PageHTML.cell(check.passed ? "<span class=\"check pass\">pass</span>" : "<span class=\"check fail\">fail</span>") + "</tr>"
            }
            let headers = [PageHTML.Header("Check"), PageHTML.Header("Set"), PageHTML.Header("Measure"), PageHTML.Header("Value"),
                           PageHTML.Header("Threshold"), PageHTML.Header("Result")]
            return "<p>Verdict: <span id=\"gate-verdict\">\(gate.verdict)</span> <span class=\"muted\">(evaluated \(PageHTML.time(report.evaluatedAt)))</span></p>"
                + "<p id=\"gate-reason\">\(PageHTML.text(report.reason))</p>" + PageHTML.table(id: "gate-checks", headers: headers, rows: rows)
        }
    }

    /// Each loss set's base and tuned mean loss and perplexity, and each generative set's accuracies.
    static func evaluation(_ gate: RecordedGate) -> String {
        guard case .report(let report) = gate else {
            return "<p class=\"muted\">No evaluation can be shown: the gate report cannot be read.</p>"
        }
        var rows: [String] = []
        for result in report.results {
            let comparison = result.comparison
            rows.append(row(set: comparison.name, role: result.role.rawValue, measure: "mean loss",
                            base: comparison.base.meanLoss, tuned: comparison.tuned?.meanLoss, change: comparison.lossChange))
            rows.append(row(set: comparison.name, role: result.role.rawValue, measure: "perplexity",
                            base: comparison.base.perplexity, tuned: comparison.tuned?.perplexity, change: comparison.perplexityChange))
        }
        for task in report.tasks {
            for base in task.base {
                let tuned = task.tuned?.first { $0.metric == base.metric }
                rows.append(row(set: task.name, role: task.role.rawValue, measure: "\(base.metric.label) accuracy",
                                base: base.statistic.accuracy, tuned: tuned?.statistic.accuracy,
                                change: tuned.map { $0.statistic.accuracy - base.statistic.accuracy }))
            }
        }
        guard !rows.isEmpty else { return "<p class=\"muted\">The gate report has no evaluation sets.</p>" }
        let headers = [PageHTML.Header("Set"), PageHTML.Header("Role"), PageHTML.Header("Measure"), PageHTML.Header("Base"),
                       PageHTML.Header("Tuned"), PageHTML.Header("Change")]
        return PageHTML.table(id: "evaluation", headers: headers, rows: rows)
    }

    private static func row(set: String, role: String, measure: String, base: Double, tuned: Double?, change: Double?) -> String {
        "<tr>" + PageHTML.cell(PageHTML.text(set)) + PageHTML.cell(PageHTML.text(role)) + PageHTML.cell(PageHTML.text(measure))
            + PageHTML.cell(GateCheck.format(base), numeric: true) + PageHTML.cell(tuned.map(GateCheck.format) ?? "not evaluated", numeric: true)
            + PageHTML.cell(change.map { ($0 > 0 ? "+" : "") + GateCheck.format($0) } ?? "", numeric: true) + "</tr>"
    }
}
