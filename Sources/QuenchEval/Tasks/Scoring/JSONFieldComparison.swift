/// A json_fields reference: the JSON object whose every field an answer must reproduce.
struct JSONFieldReference: Sendable {
    /// The reference's fields, sorted by key so reasons name the first unequal field predictably.
    let fields: [(key: JSONKey, value: JSONValue)]

    /// The reference object of `text` (surrounding whitespace as `str.strip()` removes it).
    init(_ text: String) throws(ReferenceProblem) {
        switch JSONParser.parse(JSONAnswer.stripped(text)) {
        case .failure(let failure):
            throw .notAJSONObject(reason: failure.description)
        case .success(.object(let object)):
            guard !object.isEmpty else { throw .notAJSONObject(reason: "the object {} has no field to check") }
            fields = object.sorted { $0.key.text.unicodeScalars.lexicographicallyPrecedes($1.key.text.unicodeScalars) }
        case .success(let other):
            throw .notAJSONObject(reason: "it is \(other.summary)")
        }
    }

    /// Whether `answer` is a JSON object holding every reference field with an equal value; per field.
    func compare(_ answer: String) -> MetricOutcomeParts {
        let parsed: [JSONKey: JSONValue]
        switch JSONParser.parse(JSONAnswer.stripped(answer)) {
        case .failure(let failure):
            return MetricOutcomeParts(correct: false, reason: failure.description, fields: allFields(false))
        case .success(.object(let object)):
            parsed = object
        case .success(let other):
            return MetricOutcomeParts(correct: false, reason: "not a JSON object but \(other.summary)", fields: allFields(false))
        }
        var verdicts: [String: Bool] = [:]
        var firstReason: String?
        for (key, expected) in fields {
            guard let got = parsed[key] else {
                verdicts[key.text] = false
                firstReason = firstReason ?? "missing '\(key)'"
                continue
            }
            let equal = got.jsonEquals(expected)
            // Keys distinct as code points may be one Swift String: such a field is right only if both are.
            verdicts[key.text] = (verdicts[key.text] ?? true) && equal
            if !equal { firstReason = firstReason ?? "\(key): \(got.summary), expected \(expected.summary)" }
        }
        return MetricOutcomeParts(correct: firstReason == nil, reason: firstReason, fields: verdicts)
    }

    private func allFields(_ verdict: Bool) -> [String: Bool] {
        Dictionary(fields.map { ($0.key.text, verdict) }, uniquingKeysWith: { first, _ in first })
    }
}

/// A verdict before it is labelled with its metric's name.
struct MetricOutcomeParts {
    let correct: Bool
    let reason: String?
    var fields: [String: Bool]? = nil
}

/// How the json metrics read an answer: Python's `str.strip()` whitespace removed, then exactly one
/// JSON value.
enum JSONAnswer {
    /// `text` without leading and trailing whitespace (Python's `str.isspace()` code points).
    static func stripped(_ text: String) -> String {
        let scalars = TextNormalization.stripped(Array(text.unicodeScalars))
        return String(String.UnicodeScalarView(scalars))
    }

    /// json_valid's verdict on `answer`.
    static func validity(of answer: String) -> MetricOutcomeParts {
        switch JSONParser.parse(stripped(answer)) {
        case .success: return MetricOutcomeParts(correct: true, reason: nil)
        case .failure(let failure): return MetricOutcomeParts(correct: false, reason: failure.description)
        }
    }
}
