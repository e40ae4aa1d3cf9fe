@testable import QuenchEval
import QuenchGate
import Testing

/// The metric definitions on hand-made cases; expected values follow Python's semantics (what
/// lm-evaluation-harness's `exact_match_hf_evaluate` computes with numpy's `str` operations).
@Suite struct TaskScorerTests {
    func score(_ metric: TaskMetric, _ reference: String, _ answer: String) throws -> MetricOutcome {
        try TaskScorer(metric: metric, reference: reference).score(answer)
    }

    func exact(_ reference: String, _ answer: String, strip: Bool = true, ignoreCase: Bool = false,
               ignorePunctuation: Bool = false) throws -> Bool {
        let options = TextMatchOptions(strip: strip, ignoreCase: ignoreCase, ignorePunctuation: ignorePunctuation)
        return try score(.exactMatch(options), reference, answer).correct
    }

    @Test func exactMatchIsCodePointEqualityAfterStrip() throws {
        #expect(try exact("Oslo", "Oslo"))
        #expect(try exact("Oslo", "  Oslo\n"))
        #expect(try !exact("Oslo", "  Oslo\n", strip: false))
        #expect(try !exact("Oslo", "oslo"))
        #expect(try !exact("Oslo", "Oslo."))
        // Python's == compares code points: precomposed é (U+00E9) ≠ e + combining acute, which
        // Swift's String == would call equal.
        #expect(try !exact("caf\u{E9}", "cafe\u{301}"))
        let outcome = try score(.exactMatch(TextMatchOptions()), "a", "b")
        #expect(outcome == MetricOutcome(metric: "exact_match", correct: false, reason: "not equal to the reference"))
        #expect(try score(.exactMatch(TextMatchOptions()), "a", "a") == MetricOutcome(metric: "exact_match", correct: true))
    }

    @Test func stripRemovesPythonWhitespace() throws {
        // Python: "\x1c\x85\u3000x\u00a0\u2028".strip() == "x"; "\u200bx".strip() keeps U+200B.
        #expect(try exact("x", "\u{1C}\u{85}\u{3000}x\u{A0}\u{2028}"))
        #expect(try !exact("x", "\u{200B}x"))
        #expect(TextNormalization.stripped(Array(" \t\n".unicodeScalars)).isEmpty)
    }

    @Test func ignoreCaseIsPythonLower() throws {
        #expect(try exact("oslo", "OSLO", ignoreCase: true))
        // Python: "İ".lower() == "i\u0307" (two code points), "ΟΔΟΣ".lower() == "οδος" (final sigma).
        #expect(try exact("i\u{307}", "\u{130}", ignoreCase: true))
        #expect(try exact("οδος ας.", "ΟΔΟΣ ΑΣ.", ignoreCase: true))
        #expect(try exact("σα", "ΣΑ", ignoreCase: true))
        #expect(try !exact("ß", "SS", ignoreCase: true))
    }

    @Test func ignorePunctuationDeletesPythonStringPunctuation() throws {
        let punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
        #expect(TextMatchOptions(strip: false, ignorePunctuation: true).normalize(punctuation).isEmpty)
        #expect(try exact("its 42", "it's 42!", ignorePunctuation: true))
        // Only ASCII punctuation: the typographic apostrophe and « » stay.
        #expect(try !exact("its", "it’s", ignorePunctuation: true))
        #expect(try !exact("oui", "«oui»", ignorePunctuation: true))
        // Order: strip first, so punctuation removal can leave outer spaces ("x ." → "x ").
        #expect(try !exact("x", "x .", ignorePunctuation: true))
        #expect(try exact("hello world", "Hello, World!", ignoreCase: true, ignorePunctuation: true))
    }

    @Test func containsFindsTheNormalisedReference() throws {
        let options = TextMatchOptions(ignoreCase: true)
        #expect(try score(.contains(options), "Oslo", "I live in OSLO, Norway.").correct)
        #expect(try !score(.contains(TextMatchOptions()), "Oslo", "I live in OSLO").correct)
        #expect(try score(.contains(TextMatchOptions()), "aab", "aaaab").correct)
        #expect(try !score(.contains(TextMatchOptions()), "abab", "abaab").correct)
        #expect(throws: ReferenceProblem.emptyReference(metric: "contains")) {
            try TaskScorer(metric: .contains(TextMatchOptions()), reference: "  \n")
        }
        #expect(throws: ReferenceProblem.emptyReference(metric: "contains")) {
            try TaskScorer(metric: .contains(TextMatchOptions(ignorePunctuation: true)), reference: "?!")
        }
    }

    @Test func occursMatchesANaiveSearch() {
        let texts = ["", "a", "ab", "aab", "abab", "aabaab", "abcabcab", "bbbbab"]
        for needle in texts.dropFirst() {
            for haystack in texts {
                let expected = haystack.contains(needle)
                #expect(TaskScorer.occurs(Array(needle.unicodeScalars), in: Array(haystack.unicodeScalars)) == expected,
                        "\(needle) in \(haystack)")
            }
        }
    }

    @Test func jsonValidAcceptsExactlyOneValue() throws {
        for good in ["{}", " [1, 2.5e-3, \"x\", null, true] \n", "\"a\\u00e9\\ud83d\\ude00\"", "-0", "0.5", "\u{A0}{\"a\": {}}\u{3000}"] {
            #expect(try score(.jsonValid, "", good).correct, "\(good)")
        }
        let bad = ["", "{", "{} {}", "{\"a\": 1} trailing", "[1,]", "{\"a\" 1}", "01", "1.", "+1", "NaN", "'x'",
                   "{\"a\": 1, \"a\": 2}", "\"\\ud800\"", "\"tab\there\"", "tru", "[" + String(repeating: "[", count: 300)]
        for text in bad {
            let outcome = try score(.jsonValid, "", text)
            #expect(!outcome.correct, "\(text)")
            #expect(outcome.reason?.hasPrefix("not valid JSON at byte") == true, "\(text)")
        }
        #expect(try score(.jsonValid, "", "{} x").reason == "not valid JSON at byte 3: text after the JSON value")
    }

    func fields(_ reference: String, _ answer: String) throws -> MetricOutcome {
        try score(.jsonFields, reference, answer)
    }

    @Test func jsonFieldsComparesEachReferenceField() throws {
        let reference = #"{"name": "Ada", "years": 42, "home": "London"}"#
        let right = try fields(reference, #" {"years": 42.0, "name": "Ada", "home": "London", "extra": [1]} "#)
        #expect(right == MetricOutcome(metric: "json_fields", correct: true,
                                       fields: ["name": true, "years": true, "home": true]))
        let wrong = try fields(reference, #"{"name": "Ada", "years": 41}"#)
        #expect(!wrong.correct)
        #expect(wrong.fields == ["name": true, "years": false, "home": false])
        // Fields are checked in key order: "home" before "years".
        #expect(wrong.reason == "missing 'home'")
        #expect(try fields(#"{"years": 42}"#, #"{"years": 41}"#).reason == "years: 41, expected 42")
        let notJSON = try fields(reference, "Ada, 42, London")
        #expect(!notJSON.correct)
        #expect(notJSON.fields == ["name": false, "years": false, "home": false])
        #expect(try fields(reference, "[1]").reason == "not a JSON object but an array of 1")
    }

    @Test func jsonEqualityIsExact() throws {
        let cases: [(String, String, Bool)] = [
            ("1", "1.0", true), ("42", "4.2e1", true), ("0.1", "1e-1", true), ("100", "1E2", true), ("0", "-0.0", true),
            ("1", "1.0000000000000000000000001", false), ("12345678901234567890123", "12345678901234567890124", false),
            ("true", "1", false), ("false", "0", false), ("1", "true", false), ("null", "null", true), ("null", "0", false),
            ("\"1\"", "1", false), ("\"caf\\u00e9\"", "\"café\"", true), ("\"caf\u{E9}\"", "\"cafe\u{301}\"", false),
            ("[1, 2]", "[1, 2]", true), ("[1, 2]", "[2, 1]", false), ("[1, 2]", "[1, 2, 3]", false),
            ("{\"a\": {\"b\": [true]}}", "{\"a\": {\"b\": [true]}}", true),
            ("{\"a\": 1}", "{\"a\": 1, \"b\": 2}", false), ("{\"a\": 1, \"b\": 2}", "{\"b\": 2.0, \"a\": 1}", true),
        ]
        for (expected, got, equal) in cases {
            let outcome = try fields("{\"v\": \(expected)}", "{\"v\": \(got)}")
            #expect(outcome.correct == equal, "\(expected) vs \(got)")
        }
    }

    @Test func jsonKeysAreCodePointsNotCanonicalEquivalents() throws {
        // "é" precomposed and "e" + U+0301 are one Swift String key but two JSON keys, as in Python.
        let missing = try fields("{\"caf\u{E9}\": 1}", "{\"cafe\u{301}\": 1}")
        #expect(!missing.correct && missing.reason == "missing 'caf\u{E9}'")
        #expect(try fields("{\"caf\u{E9}\": 1}", "{\"cafe\u{301}\": 2, \"caf\u{E9}\": 1}").correct,
                "both keys in one object are not duplicates")
        #expect(try score(.jsonValid, "", "{\"caf\u{E9}\": 1, \"cafe\u{301}\": 2}").correct)
        let both = try fields("{\"caf\u{E9}\": 1, \"cafe\u{301}\": 2}", "{\"caf\u{E9}\": 1, \"cafe\u{301}\": 3}")
        #expect(!both.correct)
    }

    @Test func jsonFieldsReferenceMustBeAnObjectWithFields() {
        #expect(throws: ReferenceProblem.notAJSONObject(reason: "it is an array of 1")) {
            try TaskScorer(metric: .jsonFields, reference: "[1]")
        }
        #expect(throws: ReferenceProblem.notAJSONObject(reason: "the object {} has no field to check")) {
            try TaskScorer(metric: .jsonFields, reference: " {} ")
        }
        #expect(throws: ReferenceProblem.notAJSONObject(reason: "not valid JSON at byte 7: expected ',' or '}' in an object")) {
            try TaskScorer(metric: .jsonFields, reference: "{\"a\": 1")
        }
    }

    @Test func referenceProblemsSayWhatToFix() {
        // The loader prefixes the file, line and metric name, so the messages do not repeat them.
        #expect(ReferenceProblem.emptyReference(metric: "contains").description
            == "the reference is empty, so every answer would match; give a non-empty reference")
        #expect(ReferenceProblem.notAJSONObject(reason: "it is null").description
            == "the reference must be a JSON object with at least one field: it is null")
        #expect(ReferenceProblem.regexTooLarge(what: "the group nesting at byte 100", limit: 100).description
            == "the pattern is too large: the group nesting at byte 100 is over the limit of 100; simplify it "
            + "(Quench caps patterns so that matching stays linear in the answer)")
    }

    @Test func hostileAnswersAreScoredNotTrapped() throws {
        let huge = String(repeating: "[", count: 100_000) + String(repeating: "9", count: 100_000)
        let scorers = try [
            TaskScorer(metric: .exactMatch(TextMatchOptions(ignoreCase: true, ignorePunctuation: true)), reference: "x"),
            TaskScorer(metric: .contains(TextMatchOptions()), reference: "x"),
            TaskScorer(metric: .regex, reference: "(a*)*b"),
            TaskScorer(metric: .jsonValid, reference: ""),
            TaskScorer(metric: .jsonFields, reference: #"{"a": 1}"#),
        ]
        let answers = [huge, "{\"a\": 1e999999999999999999999}", "{\"a\": 1e9223372036854775807}", "\u{FFFD}\u{0}\"\\",
                       "1" + String(repeating: "0", count: 50_000)]
        // Only json_valid accepts two of them: a huge exponent that fits and a long integer are valid JSON.
        let validJSON = [false, false, true, false, true]
        for scorer in scorers {
            for (answer, valid) in zip(answers, validJSON) {
                #expect(scorer.score(answer).correct == (scorer.metric == .jsonValid && valid))
            }
        }
    }

    @Test func accuracyStatisticMatchesLmEvalStandardError() {
        let statistic = AccuracyStatistic([true, true, true, false])
        #expect(statistic.accuracy == 0.75)
        #expect(statistic.standardError == 0.25)
        #expect(AccuracyStatistic(correct: 1, count: 1).standardError == 0)
        #expect(AccuracyStatistic(correct: 0, count: 0).accuracy == 0)
    }
}
