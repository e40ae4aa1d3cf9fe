import Foundation

extension GateReport {
    /// The failing examples as terminal lines under the headline: per example its set, line and
    /// reason, then its prompt, reference and answer, each on one line (line breaks shown as "⏎").
    /// Empty when no generative set failed a check.
    public var failingExampleLines: [String] {
        func oneLine(_ text: String) -> String {
            text.replacingOccurrences(of: "\r\n", with: "⏎").replacingOccurrences(of: "\n", with: "⏎")
                .replacingOccurrences(of: "\r", with: "⏎")
        }
        return tasks.flatMap { task in
            task.failingExamples.flatMap { example in
                ["  \(task.name), line \(example.line): \(oneLine(example.reason))",
                 "    prompt:   \(oneLine(example.prompt))",
                 "    expected: \(oneLine(example.expected))",
                 "    got:      \(oneLine(example.got))"]
            }
        }
    }
}
