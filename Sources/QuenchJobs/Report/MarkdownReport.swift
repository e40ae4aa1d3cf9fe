import Foundation

/// `report.md`: the run for people reading it in a terminal, a pull request or a ticket.
enum MarkdownReport {
    static func render(_ report: RunReport) -> String {
        var lines = ["# \(report.job): \(report.status.rawValue)", "", "**\(report.headline)**", ""]
        lines += rejectedExamples(report.rejectedTaskSets)
        lines += ["Run `\(report.runDirectory)`, spec `\(report.spec)` (sha256 `\(report.specSHA256)`), Quench \(report.quenchVersion).", ""]
        lines += ["## Stages", "", "| stage | status | seconds | result |", "|---|---|---:|---|"]
        for stage in report.stages {
            lines.append("| \(stage.name.rawValue) | \(stage.status.rawValue) | \(stage.seconds.map { String(format: "%.1f", $0) } ?? "") | \(cell(stage.summary)) |")
        }
        if let evaluation = report.evaluation, !evaluation.sets.isEmpty {
            lines += ["", "## Evaluation (windowing: \(evaluation.sets.first?.windowing ?? "n/a"))", "",
                      "| set | role | tokens | base loss | tuned loss | base ppl | tuned ppl | change in ppl |",
                      "|---|---|---:|---:|---:|---:|---:|---:|"]
            for set in evaluation.sets {
                lines.append("| \(set.name) | \(set.role.rawValue) | \(set.tuned.tokens) | \(n(set.base.loss)) | \(n(set.tuned.loss)) | "
                             + "\(n(set.base.perplexity)) | \(n(set.tuned.perplexity)) | \(percent(set.perplexityChange)) |")
            }
        }
        lines += taskAccuracy(report.evaluation?.evaluation.tasks ?? [])
        if let gate = report.gate {
            lines += ["", "## Gate: \(gate.passed ? "passed" : "failed")", "", gate.reason, "",
                      "| check | set | value | threshold | result |", "|---|---|---:|---:|---|"]
            for check in gate.checks {
                lines.append("| \(check.name) | \(check.set) | \(n(check.value)) | \(n(check.threshold)) | \(check.passed ? "pass" : "**fail**") |")
            }
        }
        lines += ["", "## Lineage", ""]
        if let model = report.model {
            lines.append("- Base model: \(model.repo.map { "\($0)@\(model.commit ?? model.revision ?? "")" } ?? model.location)")
        }
        if let remote = report.training?.remote { lines.append("- \(remote.lineage)") }
        lines.append("- \(report.precision.sentence)")
        for check in report.files?.checks ?? [] {
            lines.append("- \(check.role.rawValue): `\(check.file.path)` sha256 `\(check.file.sha256)`\(check.pinned != nil ? " (pinned)" : "")")
        }
        for fingerprint in report.data?.fingerprints ?? [] {
            lines.append("- \(fingerprint.role.rawValue) fingerprint: `\(fingerprint.sha256)` over \(fingerprint.records) records")
        }
        if let signature = report.signature {
            lines.append("- Signature: `\(signature.signature)` (sha256 `\(signature.sha256)`, \(signature.files) files)")
        }
        if let registry = report.registry {
            lines.append("- Registry: \(registry.name)@\(registry.version), \(registry.status)")
        }
        if !report.compliance.isEmpty {
            lines.append("- Compliance: " + report.compliance.sorted { $0.key < $1.key }.map { "[\($0.key)](\($0.value))" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func n(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "n/a" }
        return abs(value) >= 1000 ? String(format: "%.0f", value) : String(format: "%.4g", value)
    }

    static func percent(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "n/a" }
        return String(format: "%+.1f%%", value * 100)
    }

    private static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
