/// A strict RFC 8259 parser over UTF-8 bytes for the json metrics: one value, JSON whitespace around
/// it, nothing after it; duplicate object keys, lone surrogates and nesting deeper than
/// `maximumDepth` are errors. Errors are short messages with the byte offset.
struct JSONParser {
    /// Deeper arrays and objects are refused, so hostile answers cannot exhaust the stack.
    static let maximumDepth = 256

    private let bytes: [UInt8]
    private var position = 0

    /// The one JSON value of `text`, or a short reason it is not one.
    static func parse(_ text: String) -> Result<JSONValue, JSONParseError> {
        var parser = JSONParser(bytes: Array(text.utf8))
        do throws(JSONParseError) {
            parser.skipWhitespace()
            let value = try parser.value(depth: 0)
            parser.skipWhitespace()
            guard parser.position == parser.bytes.count else { throw parser.error("text after the JSON value") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func error(_ reason: String) -> JSONParseError { JSONParseError(offset: position, reason: reason) }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw error("nested deeper than \(Self.maximumDepth)") }
        guard let byte = current else { throw error("the text ends where a value should be") }
        switch byte {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw error("unexpected character where a value should be")
        }
    }

    private mutating func literal(_ word: String) throws(JSONParseError) {
        for byte in word.utf8 {
            guard current == byte else { throw error("invalid literal, expected '\(word)'") }
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(JSONParseError) {
        guard current == byte else { throw error("expected \(what)") }
        position += 1
    }

    private mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1
        var fields: [JSONKey: JSONValue] = [:]
        skipWhitespace()
        if current == UInt8(ascii: "}") { position += 1; return .object(fields) }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try string()
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':' after a key")
            skipWhitespace()
            let item = try value(depth: depth + 1)
            guard fields.updateValue(item, forKey: JSONKey(key)) == nil else {
                throw JSONParseError(offset: keyOffset, reason: "duplicate key '\(key)'")
            }
            skipWhitespace()
            if current == UInt8(ascii: "}") { position += 1; return .object(fields) }
            try expect(UInt8(ascii: ","), "',' or '}' in an object")
        }
    }

    private mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        position += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { position += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return .array(items) }
            try expect(UInt8(ascii: ","), "',' or ']' in an array")
        }
    }

    private mutating func string() throws(JSONParseError) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flushRun() {
            // The input came from a String, so any run of bytes between ASCII delimiters is valid UTF-8.
            scalars.append(contentsOf: String(decoding: bytes[runStart..<position], as: UTF8.self).unicodeScalars)
        }
        while true {
            guard let byte = current else { throw error("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                flushRun()
                position += 1
                return String(scalars)
            case UInt8(ascii: "\\"):
                flushRun()
                scalars.append(try escape())
                runStart = position
            case 0x00..<0x20:
                throw error("unescaped control character in a string")
            default:
                position += 1
            }
        }
    }

    private mutating func escape() throws(JSONParseError) -> Unicode.Scalar {
        position += 1
        guard let byte = current else { throw error("unterminated escape") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try hexQuad()
            if (0xD800..<0xDC00).contains(unit) {
                guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("lone high surrogate")
                }
                position += 2
                let low = try hexQuad()
                guard (0xDC00..<0xE000).contains(low) else { throw error("high surrogate without a low one") }
                let combined = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                guard let scalar = Unicode.Scalar(combined) else { throw error("invalid surrogate pair") }
                return scalar
            }
            guard let scalar = Unicode.Scalar(unit) else { throw error("lone low surrogate") }
            return scalar
        default:
            position -= 1
            throw error("invalid escape")
        }
    }

    private mutating func hexQuad() throws(JSONParseError) -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexValue(byte) else { throw error("expected 4 hex digits after \\u") }
            unit = unit << 4 | digit
            position += 1
        }
        return unit
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// RFC 8259's number grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    private mutating func number() throws(JSONParseError) -> JSONNumber {
        let start = position
        let negative = current == UInt8(ascii: "-")
        if negative { position += 1 }
        var digits: [UInt8] = []
        guard let first = current, Self.isDigit(first) else { throw error("expected a digit") }
        if first == UInt8(ascii: "0") {
            digits.append(0)
            position += 1
            if let next = current, Self.isDigit(next) { throw error("leading zero in a number") }
        } else {
            digits += readDigits()
        }
        var exponent = 0
        if current == UInt8(ascii: ".") {
            position += 1
            let fraction = readDigits()
            guard !fraction.isEmpty else { throw error("expected a digit after '.'") }
            digits += fraction
            exponent = -fraction.count
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            let negativeExponent = current == UInt8(ascii: "-")
            if negativeExponent || current == UInt8(ascii: "+") { position += 1 }
            let written = readDigits()
            guard !written.isEmpty else { throw error("expected a digit in the exponent") }
            var power = 0
            for digit in written {
                let (times, overflow1) = power.multipliedReportingOverflow(by: 10)
                let (plus, overflow2) = times.addingReportingOverflow(Int(digit))
                guard !overflow1, !overflow2 else { throw error("exponent too large") }
                power = plus
            }
            let (sum, overflow) = exponent.addingReportingOverflow(negativeExponent ? -power : power)
            guard !overflow else { throw error("exponent too large") }
            exponent = sum
        }
        guard let value = ExactDecimal(negative: negative, digits: digits, exponent: exponent) else {
            throw error("exponent too large")
        }
        return JSONNumber(literal: String(decoding: bytes[start..<position], as: UTF8.self), value: value)
    }

    private mutating func readDigits() -> [UInt8] {
        var digits: [UInt8] = []
        while let byte = current, Self.isDigit(byte) {
            digits.append(byte - UInt8(ascii: "0"))
            position += 1
        }
        return digits
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// Why a text is not one JSON value: the byte offset and a short reason.
struct JSONParseError: Error, Equatable, CustomStringConvertible {
    let offset: Int
    let reason: String

    var description: String { "not valid JSON at byte \(offset): \(reason)" }
}
