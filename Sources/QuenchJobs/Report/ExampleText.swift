import Foundation

/// A prompt, reference or answer as the reports show it: cut to `limit` characters so one runaway
/// answer cannot swamp a report, the cut marked with "…" and the number of characters left out.
enum ExampleText {
    static let limit = 500

    /// `text`, or its first `limit` characters followed by "… (N more characters)".
    static func cut(_ text: String) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "… (\(text.count - limit) more characters)"
    }
}
