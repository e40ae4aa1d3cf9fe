import Foundation
import QuenchGate

extension HTMLReport {
    /// Answers of each kind (wrong → right, right → wrong) listed per set.
    static let changedExampleLimit = 5

    /// The boxes under a rejected run's headline: per set whose accuracy check failed, the checks
    /// and a few of the tuned model's wrong answers.
    static func rejectedExamples(_ sets: [RejectedTaskSet]) -> String {
        sets.map { set in
            "<div class=\"failing\"><h3>Failing examples on <code>\(e(set.set))</code></h3>"
                + "<p>\(set.checks.map(e).joined(separator: "<br>"))</p>"
                + set.examples.map { example in
                    self.example(line: example.line, note: example.reason,
                                 texts: [("prompt", example.prompt), ("expected", example.expected), ("got", example.got)])
                }.joined() + "</div>"
        }.joined()
    }

    /// The accuracy table of every generative set, then per set the answers that changed.
    static func taskAccuracy(_ tasks: [TaskComparison]) -> String {
        var rows = "<tr><th>set</th><th>metric</th><th>base accuracy ± se (right/n)</th><th>tuned accuracy ± se (right/n)</th><th>change</th></tr>"
        for row in tasks.flatMap(TaskAccuracyRow.rows) {
            rows += "<tr><td>\(e(row.set))</td><td>\(e(row.metric))</td><td class=\"num\">\(e(TaskAccuracyRow.format(row.base)))</td>"
                + "<td class=\"num\">\(e(TaskAccuracyRow.format(row.tuned)))</td>"
                + "<td class=\"num\">\(e(TaskAccuracyRow.formatChange(row.changeInPoints)))</td></tr>"
        }
        return "<table>\(rows)</table>" + tasks.filter { $0.tuned != nil }.map(changedExamples).joined()
    }

    /// Up to `changedExampleLimit` answers that went wrong → right and right → wrong on one set.
    private static func changedExamples(_ task: TaskComparison) -> String {
        let changed = task.changedExamples(limit: .max)
        func list(_ title: String, _ pairs: [(base: TaskExample, tuned: TaskExample)], why: (TaskExample, TaskExample) -> String?) -> String {
            let shown = pairs.prefix(changedExampleLimit)
            let heading = "<h4>\(e(title)): \(pairs.count)\(pairs.count > shown.count ? ", the first \(shown.count) shown" : "")</h4>"
            return heading + shown.map { pair in
                example(line: pair.tuned.line, note: why(pair.base, pair.tuned), texts: [
                    ("prompt", pair.tuned.prompt), ("expected", pair.tuned.reference),
                    ("base answer", pair.base.answer), ("tuned answer", pair.tuned.answer),
                ])
            }.joined()
        }
        return "<h3>Answers that changed on <code>\(e(task.name))</code></h3>"
            + list("Wrong → right", changed.improved) { base, _ in base.failure.map { "base: \($0)" } }
            + list("Right → wrong", changed.regressed) { _, tuned in tuned.failure.map { "tuned: \($0)" } }
    }

    /// One example: its line and why it is (or was) wrong, then each text whole in a `<pre>` that wraps.
    private static func example(line: Int, note: String?, texts: [(label: String, text: String)]) -> String {
        let items = texts.map { label, text in
            "<dt>\(e(label))</dt><dd>" + (text.isEmpty ? "<span class=\"muted\">(empty)</span>" : "<pre>\(e(text))</pre>") + "</dd>"
        }
        return "<div class=\"example\"><p class=\"muted\">line \(line)\(note.map { " · \(e($0))" } ?? "")</p><dl>\(items.joined())</dl></div>"
    }

    /// The style of examples: long answers wrap instead of widening the page.
    static let taskStyle = """
        pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0;font-size:12px;background:#f6f8fa;padding:.3rem .5rem;border-radius:4px}
        .example{border-left:3px solid #ddd;padding-left:.7rem;margin:.8rem 0}.example dl{margin:0}.example dt{font-weight:600;font-size:13px}
        .example dd{margin:0 0 .3rem 0}.failing{margin-top:.8rem}.failing h3{margin:.4rem 0}
        """
}
