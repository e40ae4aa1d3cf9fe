/// A regular expression that can be run on any text without risk of hanging: Quench's own
/// Thompson-NFA engine (a Pike VM), so a search takes O(text × program) steps for every pattern.
///
/// Syntax (Python's `re` where it overlaps, always case-sensitive, on Unicode code points): literals;
/// `.` (any code point but "\n"); `\d` (general category Nd), `\w` (categories L and N, or "_"),
/// `\s` (Python's `str.isspace()`) and their negations `\D \W \S`; `\n \t \r \f \v`; a backslash before
/// any other non-alphanumeric character makes it literal; classes `[...]` and `[^...]` with ranges and
/// those escapes; groups `(...)` and `(?:...)`; `|`; quantifiers `* + ? {m} {m,} {,n} {m,n}` and their
/// lazy forms (which match the same texts); `^` and `$` (the start and end of the whole text; `$`
/// does not match before a final newline, unlike Python's); `\b` and `\B` word boundaries.
/// Refused with the byte offset: backreferences, lookahead and lookbehind, possessive quantifiers,
/// atomic and named groups, inline flags, Unicode properties, code point escapes and unknown escapes.
public struct SafeRegex: Sendable {
    /// Longest pattern, in UTF-8 bytes.
    public static let maximumPatternBytes = 1024
    /// Largest count in `{m,n}`.
    public static let maximumRepetition = 1000
    /// Most instructions after counted repetitions are expanded.
    public static let maximumInstructions = 10_000
    /// Deepest nesting of groups.
    public static let maximumNesting = 100

    private let matcher: SafeRegexMatcher

    /// Compiles `pattern`.
    /// - Throws: `ReferenceProblem.regex` naming the byte offset and the construct, or
    ///   `ReferenceProblem.regexTooLarge` for a pattern over one of the caps.
    public init(_ pattern: String) throws(ReferenceProblem) {
        let bytes = pattern.utf8.count
        guard bytes <= Self.maximumPatternBytes else {
            throw .regexTooLarge(what: "the pattern's length of \(bytes) bytes", limit: Self.maximumPatternBytes)
        }
        let tree = try SafeRegexParser.parse(pattern)
        matcher = SafeRegexMatcher(program: try SafeRegexCompiler.compile(tree))
    }

    /// Whether the pattern matches somewhere in `text`.
    /// - Complexity: O(n × m) for n code points of text and m instructions.
    public func matches(in text: String) -> Bool {
        matcher.search(text)
    }
}
