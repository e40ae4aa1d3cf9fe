import Foundation
import QuenchGate

extension MarkdownReport {
    /// The lines under a rejected run's headline: per set whose accuracy check failed, the checks
    /// and a few wrong answers (prompt, expected, got, why), each as an inline code span.
    static func rejectedExamples(_ sets: [RejectedTaskSet]) -> [String] {
        sets.flatMap { set -> [String] in
            ["Failing examples on \(MarkdownText.code(set.set)) (\(set.checks.map(MarkdownText.code).joined(separator: "; "))):", ""]
                + set.examples.map { example in
                    "- line \(example.line): prompt \(MarkdownText.code(example.prompt)); expected \(MarkdownText.code(example.reference)); "
                        + "got \(MarkdownText.code(example.answer))" + (example.failure.map { " — \(MarkdownText.code($0))" } ?? "")
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
            lines.append("| \(cell(row.set)) | \(cell(row.metric)) | \(TaskAccuracyRow.format(row.base)) | "
                         + "\(TaskAccuracyRow.format(row.tuned)) | \(TaskAccuracyRow.formatChange(row.changeInPoints)) |")
        }
        lines.append("")
        for task in tasks where task.tuned != nil {
            let changed = task.changedExamples(limit: .max)
            lines.append("- \(MarkdownText.code(task.name)): \(changed.improved.count) answer(s) wrong → right, "
                         + "\(changed.regressed.count) right → wrong (examples in report.html)")
        }
        return lines
    }
}
