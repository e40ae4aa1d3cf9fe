import Foundation

extension GateReport {
    /// gate.md's lines for the generative sets: the accuracy table (each metric before and after), then
    /// the failing examples of every set with a failed check. Empty without generative sets.
    func taskMarkdown() -> [String] {
        guard !tasks.isEmpty else { return [] }
        var lines = ["", "| set | role | metric | base accuracy ± se (n) | tuned accuracy ± se (n) | change |",
                     "|---|---|---|---|---|---|"]
        for task in tasks {
            for (index, base) in task.base.enumerated() {
                let tuned = task.tuned.flatMap { $0.indices.contains(index) ? $0[index] : nil }
                let change = tuned.map { String(format: "%+.4f", $0.statistic.accuracy - base.statistic.accuracy) } ?? "–"
                lines.append("| \(MarkdownText.escaped(task.name)) | \(task.role.rawValue) "
                             + "| \(MarkdownText.escaped(base.metric.label)) | \(base.statistic.summary) "
                             + "| \(tuned?.statistic.summary ?? "–") | \(change) |")
            }
        }
        let failing = tasks.filter { !$0.failingExamples.isEmpty }
        guard !failing.isEmpty else { return lines }
        lines += ["", "## Failing examples", ""]
        for task in failing {
            for example in task.failingExamples {
                lines += ["### \(MarkdownText.escaped(task.name)), line \(example.line): \(MarkdownText.escaped(example.reason))",
                          "", "Prompt:"]
                lines += MarkdownText.fenced(example.prompt) + ["", "Expected:"]
                lines += MarkdownText.fenced(example.expected) + ["", "Got:"]
                lines += MarkdownText.fenced(example.got) + [""]
            }
        }
        return lines
    }
}
