/// The one rule for the name of a job and of a registered model: the name becomes a folder name
/// (runs, registry models) and a registry key, so it keeps to a safe ASCII alphabet. The job spec
/// checks it when it is loaded and the registry when a version is registered, so a name that passes
/// the first never fails the second after training.
public enum ModelName {
    /// The longest name accepted, in characters.
    public static let maximumLength = 100

    /// The rule in words, for messages: "use ..." or "must ...".
    public static let rule = "1-100 characters from a-z A-Z 0-9 . _ -, starting with a letter or digit"

    /// True when `name` follows `rule`.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...maximumLength).contains(bytes.count), let first = bytes.first, isLetterOrDigit(first) else { return false }
        return bytes.allSatisfy { isLetterOrDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
