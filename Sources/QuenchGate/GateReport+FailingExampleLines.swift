import Foundation

extension GateReport {
    /// The failing examples as terminal lines under the headline: per example its set, line and
    /// reason, then its prompt, reference and answer, each on one line (line breaks shown as "⏎").
    /// Empty when no generative set failed a check.
    public var failingExampleLines: [String] {
        /// Line breaks as ⏎ and every other control character but tab as U+FFFD, so a model's answer
        /// can neither break the layout nor send escape sequences to the terminal.
        func oneLine(_ text: String) -> String {
            var shown = String.UnicodeScalarView()
            for scalar in text.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars {
                switch scalar.value {
                case 0x0A, 0x0D, 0x85, 0x2028, 0x2029: shown.append("⏎")
                case 0x09: shown.append(scalar)
                case 0x00...0x1F, 0x7F...0x9F: shown.append("\u{FFFD}")
                default: shown.append(scalar)
                }
            }
            return String(shown)
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
