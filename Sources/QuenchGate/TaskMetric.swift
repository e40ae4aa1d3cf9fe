import Foundation

/// A metric of a generative evaluation set: each example's generated answer is scored right or
/// wrong against its reference, and the set's accuracy is the share scored right. The exact
/// definitions (and where lm-evaluation-harness has the same metric) are on each case and in
/// evaluations/README.md; `TaskScorer` in QuenchEval implements them.
public enum TaskMetric: Codable, Sendable, Hashable {
    /// The answer equals the reference after the normalisations of `options` (lm-evaluation-harness's
    /// `exact_match`, ported from Hugging Face evaluate's, with its `ignore_case` and `ignore_punctuation`).
    case exactMatch(TextMatchOptions)
    /// The reference occurs in the answer after the same normalisations.
    case contains(TextMatchOptions)
    /// The reference is a pattern (Quench's linear-time regex subset) found in the answer.
    case regex
    /// The answer, without surrounding whitespace, parses as one JSON value.
    case jsonValid
    /// The answer parses as a JSON object and every field of the reference object is equal in it;
    /// per-field accuracy is reported too.
    case jsonFields

    /// The metric's name in gate files, reports and `--metric`.
    public var name: String {
        switch self {
        case .exactMatch: return "exact_match"
        case .contains: return "contains"
        case .regex: return "regex"
        case .jsonValid: return "json_valid"
        case .jsonFields: return "json_fields"
        }
    }

    /// Every metric name, for error messages.
    public static let knownNames = ["exact_match", "contains", "regex", "json_valid", "json_fields"]

    /// The metrics that take `TextMatchOptions`.
    public static let namesTakingOptions: Set = ["exact_match", "contains"]

    /// The metric called `name` (one of `knownNames`), with `options` for exact_match and contains
    /// (ignored by the others: check `namesTakingOptions` first); nil for an unknown name.
    public init?(name: String, options: TextMatchOptions = TextMatchOptions()) {
        switch name {
        case "exact_match": self = .exactMatch(options)
        case "contains": self = .contains(options)
        case "regex": self = .regex
        case "json_valid": self = .jsonValid
        case "json_fields": self = .jsonFields
        default: return nil
        }
    }

    /// The options of a text-matching metric, nil for the others.
    public var textOptions: TextMatchOptions? {
        switch self {
        case .exactMatch(let options), .contains(let options): return options
        case .regex, .jsonValid, .jsonFields: return nil
        }
    }

    /// "exact_match(strip, ignore_case)": the name with the options that differ from none.
    public var label: String {
        guard let options = textOptions, !options.enabledNames.isEmpty else { return name }
        return "\(name)(\(options.enabledNames.joined(separator: ", ")))"
    }

    enum CodingKeys: String, CodingKey { case name, options }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(textOptions, forKey: .options)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        let options = try container.decodeIfPresent(TextMatchOptions.self, forKey: .options) ?? TextMatchOptions()
        guard let metric = TaskMetric(name: name, options: options) else {
            throw DecodingError.dataCorruptedError(
                forKey: .name, in: container, debugDescription: "unknown metric '\(name)'; known: \(Self.knownNames.joined(separator: ", "))")
        }
        self = metric
    }
}

/// How `exact_match` and `contains` normalise the answer and the reference before comparing them,
/// in this order: strip, then ignore case, then ignore punctuation (lm-evaluation-harness applies
/// case, then punctuation; it has no strip, which its filters do instead).
public struct TextMatchOptions: Codable, Sendable, Hashable {
    /// Remove leading and trailing whitespace (Python's `str.strip()`: Unicode whitespace). Default on.
    public var strip: Bool
    /// Lower-case both (lm-eval's `ignore_case`). Default off.
    public var ignoreCase: Bool
    /// Delete ASCII punctuation, Python's `string.punctuation` (lm-eval's `ignore_punctuation`). Default off.
    public var ignorePunctuation: Bool

    enum CodingKeys: String, CodingKey {
        case strip
        case ignoreCase = "ignore_case", ignorePunctuation = "ignore_punctuation"
    }

    /// Options; by default only strip.
    public init(strip: Bool = true, ignoreCase: Bool = false, ignorePunctuation: Bool = false) {
        (self.strip, self.ignoreCase, self.ignorePunctuation) = (strip, ignoreCase, ignorePunctuation)
    }

    /// The names of the options that are on, as gate files spell them.
    public var enabledNames: [String] {
        [(strip, "strip"), (ignoreCase, "ignore_case"), (ignorePunctuation, "ignore_punctuation")].filter(\.0).map(\.1)
    }

    /// The option keys gate files accept.
    public static let keys = ["strip", "ignore_case", "ignore_punctuation"]
}
