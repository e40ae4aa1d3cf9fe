import Foundation

extension GateReport {
    /// `gate.md`: the verdict and its one-line reason first, then every check, every loss set, every
    /// generative set's accuracies and the failing examples of a set that failed a check.
    public func markdown() -> String {
        var lines = ["# Quality gate: \(passed ? "PASSED" : "FAILED")", "", "**\(reason)**", "",
                     "- gate: `\(gate)`",
                     "- base model: `\(baseModel)`",
                     "- tuned \(tunedKind.rawValue): `\(tuned)`",
                     "- windowing: `\(windowing)`, context \(context); Quench \(quenchVersion); \(evaluatedAt)", "",
                     "| check | set | metric | threshold | value | result |",
                     "|---|---|---|---|---|---|"]
        for check in checks {
            let value = check.value.map(GateCheck.format) ?? "NaN"
            lines.append("| \(check.name) | \(check.set) | \(check.metric) | \(GateCheck.format(check.threshold)) "
                         + "| \(value) | \(check.passed ? "pass" : "**FAIL**") |")
        }
        if !results.isEmpty {
            lines += ["", "| set | role | tokens | base loss | tuned loss | base ppl | tuned ppl | Δ loss (relative) |",
                      "|---|---|---|---|---|---|---|---|"]
        }
        for result in results {
            let c = result.comparison
            func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "–" }
            lines.append("| \(c.name) | \(result.role.rawValue) | \(c.base.tokensScored) | \(number(c.base.meanLoss)) "
                         + "| \(number(c.tuned?.meanLoss)) | \(number(c.base.perplexity)) | \(number(c.tuned?.perplexity)) "
                         + "| \(number(c.relativeLossChange.map { $0 * 100 }))% |")
        }
        lines += taskMarkdown()
        lines += ["", "Files (sha256):", ""]
        lines += files.map { "- \($0.role.rawValue) `\($0.path)` \($0.sha256)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
