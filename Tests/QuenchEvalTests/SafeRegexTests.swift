@testable import QuenchEval
import QuenchGate
import Testing

/// The linear-time regex engine: its syntax against Python's `re.search` on hand-made cases, every
/// refusal with its byte offset, the caps, and pathological patterns that backtracking engines
/// take exponential time on.
@Suite struct SafeRegexTests {
    func search(_ pattern: String, _ text: String) throws -> Bool {
        try SafeRegex(pattern).matches(in: text)
    }

    @Test func matchesLikePythonSearch() throws {
        // (pattern, text, Python's `re.search(pattern, text) is not None`)
        let cases: [(String, String, Bool)] = [
            ("abc", "xxabcxx", true), ("abc", "abd", false), ("", "anything", true),
            ("a.c", "abc", true), ("a.c", "a\nc", false), ("a.c", "aéc", true),
            ("^abc", "abcd", true), ("^abc", "xabc", false), ("abc$", "xabc", true), ("abc$", "abcx", false),
            ("^$", "", true), ("^a|b$", "xb", true),
            ("\\d+", "age 42", true), ("^\\d+$", "4a2", false), ("\\d", "٣", true), ("\\D", "123", false),
            ("\\w+", "_", true), ("^\\w+$", "naïve", true), ("\\W", "abc_9", false),
            ("\\s", "a\u{3000}b", true), ("\\S", " \t\n", false), ("a\\tb", "a\tb", true), ("a\\nb", "a\nb", true),
            ("\\.", "a", false), ("\\.", ".", true), ("\\(\\)\\[\\]\\{\\}\\*\\+\\?\\|\\^\\$\\\\", "()[]{}*+?|^$\\", true),
            ("[abc]", "xbx", true), ("[^abc]", "abc", false), ("[a-c]+$", "zzcab", true), ("[]a]", "]", true),
            ("[a-]", "-", true), ("[\\d.]+", "3.14", true), ("[^\\s]", "  ", false), ("[\\]]", "]", true),
            ("gr(a|e)y", "grey", true), ("gr(?:a|e)y", "gruy", false), ("(ab)+$", "xabab", true), ("()", "", true),
            ("colou?r", "color", true), ("a{3}", "aa", false), ("a{3}", "aaa", true), ("^a{2,3}$", "aaaa", false),
            ("^a{2,}$", "aaaa", true), ("^a{,2}$", "aaa", false), ("^a{,2}$", "", true), ("a{", "a{", true),
            ("{x}", "{x}", true), ("x{1,2}?y", "xxy", true), ("a*?b", "aab", true), ("a+?$", "baa", true),
            ("\\bcat\\b", "a cat!", true), ("\\bcat\\b", "concat", false), ("\\Bcat", "concat", true),
            ("^\\{\"name\": \"[A-Z][a-z]+\"\\}$", "{\"name\": \"Ada\"}", true), ("😀+", "x😀😀", true),
            ("[😀-😂]", "😁", true), ("a|", "b", true), ("(a|b)*c", "ababx", false),
        ]
        for (pattern, text, expected) in cases {
            #expect(try search(pattern, text) == expected, "re.search(\(pattern), \(text))")
        }
    }

    func refusal(_ pattern: String) -> ReferenceProblem? {
        do {
            _ = try SafeRegex(pattern)
            return nil
        } catch {
            return error
        }
    }

    @Test func refusesUnsupportedConstructsByNameWithTheByteOffset() {
        let cases: [(String, Int, String)] = [
            ("(a)\\1", 3, "backreferences"), ("(?P<n>a)(?P=n)", 0, "named groups"), ("x(?P=n)", 1, "backreferences"),
            ("\\k<n>", 0, "backreferences"), ("a(?=b)", 1, "lookahead"), ("a(?!b)", 1, "lookahead"),
            ("é(?<=b)", 2, "lookbehind"), ("(?<!b)", 0, "lookbehind"), ("a*+", 2, "possessive"), ("a++", 2, "possessive"),
            ("(?i)abc", 0, "inline flags"), ("(?s:a)", 0, "inline flags"), ("\\p{L}", 0, "Unicode properties"),
            ("a\\P{L}", 1, "Unicode properties"), ("(?>a)", 0, "atomic"), ("(?#c)", 0, "comments"),
            ("(?(1)a)", 0, "conditional"), ("(?%a)", 0, "unknown group extension"), ("\\A", 0, "unknown escape"),
            ("\\x41", 0, "code point escapes"), ("\\0", 0, "octal"), ("a\\", 1, "ends with a backslash"),
            ("*a", 0, "nothing to repeat"), ("a|+", 2, "nothing to repeat"), ("^*", 1, "nothing to repeat"),
            ("{2}", 0, "nothing to repeat"), ("a**", 2, "multiple repeat"), ("a{2}{3}", 4, "multiple repeat"),
            ("a{3,2}", 1, "min repeat greater than max"), ("(ab", 0, "missing ')'"), ("ab)", 2, "unbalanced parenthesis"),
            ("[ab", 0, "unterminated character set"), ("[]", 0, "unterminated character set"), ("[z-a]", 1, "bad character range"),
            ("[\\d-z]", 1, "bad character range"), ("[a-\\d]", 3, "bad character range"), ("[[:alpha:]]", 1, "POSIX classes"),
            ("[\\b]", 1, "inside a class"),
        ]
        for (pattern, offset, name) in cases {
            guard case .regex(let foundOffset, let reason)? = refusal(pattern) else {
                Issue.record("\(pattern) compiled or was refused for size")
                continue
            }
            #expect(foundOffset == offset, "\(pattern): \(reason)")
            #expect(reason.contains(name), "\(pattern): \(reason)")
        }
        #expect(ReferenceProblem.regex(offset: 3, reason: "backreferences (\\1, \\k<name>) are not supported").description
            == "the pattern does not compile at byte 3: backreferences (\\1, \\k<name>) are not supported")
    }

    @Test func refusesPatternsOverTheCaps() throws {
        let long = String(repeating: "a", count: SafeRegex.maximumPatternBytes + 1)
        #expect(refusal(long) == .regexTooLarge(what: "the pattern's length of 1025 bytes", limit: 1024))
        #expect(refusal(String(repeating: "a", count: SafeRegex.maximumPatternBytes)) == nil)
        #expect(refusal("xa{1001}") == .regexTooLarge(what: "the repetition count at byte 2", limit: 1000))
        // A class costs one instruction per item: 60 ranges repeated 200 times is 12 000.
        let ranges = (0..<60).map { i in "\(Character(Unicode.Scalar(0x100 + 2 * i)!))-\(Character(Unicode.Scalar(0x101 + 2 * i)!))" }
        #expect(refusal("[\(ranges.joined())]{200}") == .regexTooLarge(what: "the compiled program's instruction count", limit: 10_000))
        #expect(refusal("[\(ranges.joined())]{100}") == nil)
        #expect(refusal("a{0,99999999999999999999999}") == .regexTooLarge(what: "the repetition count at byte 1", limit: 1000))
        let program = ReferenceProblem.regexTooLarge(what: "the compiled program's instruction count", limit: 10_000)
        #expect(refusal("(a{1000}){1000}") == program)
        #expect(refusal("(((a{10}){10}){10}){10}") == program)
        #expect(refusal("a{1000}b{1000}c{1000}d{1000}e{1000}f{1000}g{1000}h{1000}i{1000}j{1000}") == program)
        #expect(refusal("a{1000}") == nil)
        let nested = String(repeating: "(", count: 101) + String(repeating: ")", count: 101)
        #expect(refusal(nested) == .regexTooLarge(what: "the group nesting at byte 100", limit: 100))
        #expect(try search(String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100), "a"))
    }

    @Test func pathologicalPatternsFinishOnLongInputs() throws {
        let long = String(repeating: "a", count: 20_000)
        #expect(try !search("(a*)*b", long))
        #expect(try !search("(a|a)*c", long))
        #expect(try !search("(a+)+$", long + "!"))
        #expect(try search("(a|aa)*$", long))
        #expect(try !search("^(\\w+\\s?)*$", String(repeating: "word ", count: 2_000) + "!"))
        #expect(try search("a{1000}", long))
        #expect(try !search("(x+x+)+y", String(repeating: "x", count: 5_000)))
    }

    @Test func regexMetricSearchesTheRawAnswer() throws {
        let scorer = try TaskScorer(metric: .regex, reference: "^\\s*\\{\"years\": 4\\d\\}")
        #expect(scorer.score("  {\"years\": 42}").correct)
        #expect(scorer.score("{\"years\": 52}") == MetricOutcome(metric: "regex", correct: false, reason: "the pattern does not match"))
        #expect(throws: ReferenceProblem.emptyReference(metric: "regex")) { try TaskScorer(metric: .regex, reference: "") }
        #expect(throws: ReferenceProblem.regex(offset: 0, reason: "lookahead (?= and (?! is not supported")) {
            try TaskScorer(metric: .regex, reference: "(?=x)")
        }
    }
}
