import QuenchGate

/// One metric prepared for one reference, scoring answers right or wrong. The definitions, which
/// evaluations/README.md ("Task metrics") repeats:
/// - exact_match: the answer and the reference, normalised by the options (`TextMatchOptions.normalize`:
///   strip, lower-case, delete ASCII punctuation, in that order), are equal code point by code point
///   (Python's `==` on `str`, not Swift's canonical equivalence). lm-evaluation-harness's
///   `exact_match` (`lm_eval/api/metrics.py`, `exact_match_hf_evaluate`, ported from Hugging Face
///   evaluate) is the same with `ignore_case`/`ignore_punctuation`; its `ignore_numbers` and
///   `regexes_to_ignore` are not supported.
/// - contains: the normalised reference occurs in the normalised answer (code points).
/// - regex: the reference is a `SafeRegex` pattern found anywhere in the raw answer.
/// - json_valid: the answer without surrounding whitespace is exactly one JSON value (RFC 8259).
/// - json_fields: the answer without surrounding whitespace is a JSON object, and every field of the
///   reference object is present in it and JSON-equal (numbers by exact value, so 42 = 42.0; strings
///   code point by code point; true ≠ 1; arrays in order; objects with the same keys, recursively);
///   extra fields in the answer are allowed. Each field's verdict is reported.
public struct TaskScorer: Sendable {
    public let metric: TaskMetric
    private let rule: Rule

    private enum Rule: Sendable {
        case text(options: TextMatchOptions, reference: [Unicode.Scalar], whole: Bool)
        case regex(SafeRegex)
        case jsonValid
        case jsonFields(JSONFieldReference)
    }

    /// Prepares `metric` for one reference: normalises a text reference, compiles a regex, parses a
    /// json_fields object.
    /// - Throws: `ReferenceProblem` for an empty contains or regex reference, a regex that does not
    ///   compile or is over the caps, or a json_fields reference that is not a non-empty JSON object.
    public init(metric: TaskMetric, reference: String) throws(ReferenceProblem) {
        self.metric = metric
        switch metric {
        case .exactMatch(let options):
            rule = .text(options: options, reference: options.normalize(reference), whole: true)
        case .contains(let options):
            let normalized = options.normalize(reference)
            guard !normalized.isEmpty else { throw .emptyReference(metric: metric.name) }
            rule = .text(options: options, reference: normalized, whole: false)
        case .regex:
            guard !reference.isEmpty else { throw .emptyReference(metric: metric.name) }
            rule = .regex(try SafeRegex(reference))
        case .jsonValid:
            rule = .jsonValid
        case .jsonFields:
            rule = .jsonFields(try JSONFieldReference(reference))
        }
    }

    /// The verdict on one answer. Total: never traps or hangs, whatever the text.
    public func score(_ answer: String) -> MetricOutcome {
        let parts: MetricOutcomeParts
        switch rule {
        case .text(let options, let reference, let whole):
            let normalized = options.normalize(answer)
            if whole {
                let equal = normalized == reference
                parts = MetricOutcomeParts(correct: equal, reason: equal ? nil : "not equal to the reference")
            } else {
                let found = Self.occurs(reference, in: normalized)
                parts = MetricOutcomeParts(correct: found, reason: found ? nil : "the reference does not occur in the answer")
            }
        case .regex(let regex):
            let found = regex.matches(in: answer)
            parts = MetricOutcomeParts(correct: found, reason: found ? nil : "the pattern does not match")
        case .jsonValid:
            parts = JSONAnswer.validity(of: answer)
        case .jsonFields(let reference):
            parts = reference.compare(answer)
        }
        return MetricOutcome(metric: metric.name, correct: parts.correct, reason: parts.reason, fields: parts.fields)
    }

    /// Whether `needle` is a contiguous run of `haystack`.
    /// - Complexity: O(n + m) (Knuth–Morris–Pratt), so hostile answers cannot make it quadratic.
    static func occurs(_ needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> Bool {
        guard !needle.isEmpty else { return true }
        var failure = [0]
        failure.reserveCapacity(needle.count)
        var matched = 0
        for scalar in needle.dropFirst() {
            while matched > 0 && needle[matched] != scalar { matched = failure[matched - 1] }
            if needle[matched] == scalar { matched += 1 }
            failure.append(matched)
        }
        matched = 0
        for scalar in haystack {
            while matched > 0 && needle[matched] != scalar { matched = failure[matched - 1] }
            if needle[matched] == scalar { matched += 1 }
            if matched == needle.count { return true }
        }
        return false
    }
}
