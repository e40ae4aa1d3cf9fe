import Foundation

/// Text from a data set or a model shown inside Markdown without being read as Markdown or HTML.
enum MarkdownText {
    /// `text` (cut by `ExampleText`) as one inline code span: its line breaks shown as "⏎", fenced by
    /// one backtick more than its longest run of backticks (CommonMark's rule), padded with a space on
    /// each side (which CommonMark removes); "*(empty)*" for empty text.
    static func code(_ text: String) -> String {
        let line = ExampleText.cut(text).replacingOccurrences(of: "\r\n", with: "⏎")
            .replacingOccurrences(of: "\n", with: "⏎").replacingOccurrences(of: "\r", with: "⏎")
        guard !line.isEmpty else { return "*(empty)*" }
        var longest = 0, run = 0
        for character in line {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        return "\(fence) \(line) \(fence)"
    }
}
