/// A JSON value (RFC 8259) as the json metrics compare it: numbers kept exact, booleans distinct from
/// numbers, objects with unique keys.
enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([JSONKey: JSONValue])

    /// The value as JSON text, short enough for a reason ("41", "\"Oslo\"", "an object").
    var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .number(let number): return number.literal
        case .string(let text):
            let shown = text.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(text.unicodeScalars.prefix(40))) + "…" : text
            return "\"\(shown)\""
        case .array(let items): return "an array of \(items.count)"
        case .object(let fields): return "an object of \(fields.count) field\(fields.count == 1 ? "" : "s")"
        }
    }

    /// JSON equality: numbers by value (42 equals 42.0 and 4.2e1), strings code point by code point,
    /// arrays item by item in order, objects with the same keys and equal values; a boolean never
    /// equals a number.
    func jsonEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a.value == b.value
        case (.string(let a), .string(let b)): return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.jsonEquals($1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { key, value in b[key].map(value.jsonEquals) ?? false }
        default: return false
        }
    }
}

/// A JSON number kept as written and as an exact value: sign, significant digits and a power of ten.
struct JSONNumber: Equatable, Sendable {
    /// The number's text in the document.
    let literal: String
    let value: ExactDecimal
}

/// An exact decimal number ±digits × 10^exponent in canonical form (no leading or trailing zero
/// digits; zero is the empty digit string with a positive sign), so equal values compare equal.
struct ExactDecimal: Equatable, Sendable {
    let negative: Bool
    let digits: [UInt8]
    let exponent: Int

    /// The canonical form of ±`digits` × 10^`exponent`; nil when the exponent overflows `Int`.
    init?(negative: Bool, digits: [UInt8], exponent: Int) {
        guard let first = digits.firstIndex(where: { $0 != 0 }),
              let last = digits.lastIndex(where: { $0 != 0 }) else {
            (self.negative, self.digits, self.exponent) = (false, [], 0)
            return
        }
        let (shifted, overflow) = exponent.addingReportingOverflow(digits.count - 1 - last)
        guard !overflow else { return nil }
        (self.negative, self.digits, self.exponent) = (negative, Array(digits[first...last]), shifted)
    }
}
