/// Text made safe to place in HTML: the run report and the registry's web pages show file names,
/// model names, notes and dataset names that users chose, and none of it may become markup.
public enum HTMLText {
    /// `text` escaped for element content and for attribute values in double or single quotes.
    public static func escaped(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
