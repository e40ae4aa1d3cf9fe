import Foundation
import QuenchGate

extension MarkdownReport {
    /// The lines under a rejected run's headline: per set whose accuracy check failed, the checks
    /// and a few wrong answers (prompt, expected, got), each text escaped onto one line.
    static func rejectedExamples(_ sets: [RejectedTaskSet]) -> [String] {
        sets.flatMap { set -> [String] in
            ["Failing examples on \(MarkdownText.escaped(set.set)) (\(set.checks.map(MarkdownText.escaped).joined(separator: "; "))):", ""]
                + set.examples.flatMap { example in
                    ["- line \(example.line): \(MarkdownText.escaped(example.reason))",
                     "  - prompt: \(MarkdownText.escaped(example.prompt))",
                     "  - expected: \(MarkdownText.escaped(example.expected))",
                     "  - got: \(example.got.isEmpty ? "*(empty)*" : MarkdownText.escaped(example.got))"]
                } + [""]
        }
    }

    /// "## Task accuracy": each generative set's metrics before and after, and how many answers
    /// changed from wrong to right and back (report.html lists some of them).
    static func taskAccuracy(_ tasks: [TaskComparison]) -> [String] {
        guard !tasks.isEmpty else { return [] }
        var lines = ["", "## Task accuracy", "", "| set | metric | base accuracy ± se (right/n) | tuned accuracy ± se (right/n) | change |",
                     "|---|---|---:|---:|---:|"]
        for row in tasks.flatMap(TaskAccuracyRow.rows) {
            lines.append("| \(MarkdownText.escaped(row.set)) | \(MarkdownText.escaped(row.metric)) | \(TaskAccuracyRow.format(row.base)) | "
                         + "\(TaskAccuracyRow.format(row.tuned)) | \(TaskAccuracyRow.formatChange(row.changeInPoints)) |")
        }
        lines.append("")
        for task in tasks where task.tuned != nil {
            let changed = task.changedExamples(limit: .max)
            lines.append("- \(MarkdownText.escaped(task.name)): \(changed.improved.count) answer(s) wrong → right, "
                         + "\(changed.regressed.count) right → wrong (examples in report.html)")
        }
        return lines
    }
}
