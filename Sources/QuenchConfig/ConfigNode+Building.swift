import Yams

/// Builders for writing a configuration back out, so a writer states what each value is (text, a
/// number, a list) without knowing the YAML library's tags and styles.
extension ConfigNode {
    /// A double-quoted string, so a value such as `null` or `1e3` stays text when read back.
    public static func quotedText(_ text: String) -> ConfigNode { Node(text, Tag(.str), .doubleQuoted) }

    /// A plain word: an enum value or a name.
    public static func word(_ text: String) -> ConfigNode { Node(text) }

    /// A whole number.
    public static func integer(_ value: Int) -> ConfigNode { Node(String(value)) }

    /// Swift's shortest text that reads back to the same Double.
    public static func number(_ value: Double) -> ConfigNode { Node("\(value)", Tag(.float)) }

    /// `true` or `false`.
    public static func boolean(_ value: Bool) -> ConfigNode { Node(value ? "true" : "false") }

    /// An explicit `null`, for a setting switched off rather than left at its default.
    public static var nullValue: ConfigNode { Node("null", Tag(.null)) }

    /// A list of `items`.
    public static func items(_ items: [ConfigNode]) -> ConfigNode { Node(items) }

    /// A mapping of `pairs`, keys in the order given.
    public static func pairs(_ pairs: [(String, ConfigNode)]) -> ConfigNode { Node(pairs.map { (Node($0.0), $0.1) }) }
}
