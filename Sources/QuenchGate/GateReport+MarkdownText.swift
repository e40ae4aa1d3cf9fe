import Foundation

/// Text from users, datasets and models made safe to embed in the Markdown reports Quench writes.
public enum MarkdownText {
    /// Characters CommonMark would read as markup or raw HTML: each is backslash-escaped.
    static let markup = Set("\\`*_[]<>#|!~&")

    /// `text` on one line (newlines become spaces) with every markup character backslash-escaped, so
    /// it reads as itself in a table cell or a heading and never opens HTML.
    public static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            if character.isNewline {
                result.append(" ")
            } else {
                if markup.contains(character) { result.append("\\") }
                result.append(character)
            }
        }
        return result
    }

    /// `text` as a fenced code block (its lines shown verbatim), fenced by more backticks than the
    /// longest run of backticks inside it, so no text can close the block early.
    public static func fenced(_ text: String) -> [String] {
        var longest = 0, run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return [fence + "text"] + text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) + [fence]
    }
}
