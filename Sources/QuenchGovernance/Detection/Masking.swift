/// Masked excerpts of findings, so a report shows where something was found and what it looked like
/// without ever repeating it in full.
public enum Masking {
    /// `bytes` with all but a few characters at each end replaced by `*`: at most an eighth of the
    /// characters (and no more than three) stay visible at each end, so short values are fully masked.
    public static func excerpt(_ bytes: UnsafeRawBufferPointer) -> String {
        let characters = Array(String(decoding: bytes, as: UTF8.self))
        let visible = min(3, characters.count / 8)
        let hidden = characters.count - 2 * visible
        let stars = String(repeating: "*", count: min(hidden, 12)) + (hidden > 12 ? "…" : "")
        return String(characters.prefix(visible)) + stars + String(characters.suffix(visible))
    }

    /// The masked form of `text`.
    public static func excerpt(_ text: String) -> String {
        var text = text
        return text.withUTF8 { excerpt(UnsafeRawBufferPointer($0)) }
    }
}
