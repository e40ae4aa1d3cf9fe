/// A JSON value as written in a safetensors header, with object members kept in document order.
///
/// Foundation's decoders silently keep one of two duplicate keys, which lets two readers of the
/// same file see different tensors; this representation exists so the strict parser below can
/// reject duplicates instead.
indirect enum SafetensorsJSON: Equatable {
    case object([SafetensorsJSONMember])
    case array([SafetensorsJSON])
    case string(String)
    /// The number's literal text, already checked against the JSON grammar.
    case number(String)
    case bool(Bool)
    case null

    /// The value as a non-negative `Int`, or nil when it is not a plain integer literal that fits.
    var nonNegativeInt: Int? {
        guard case .number(let text) = self, !text.isEmpty,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        return Int(text)
    }
}

/// One `"key": value` pair of a JSON object.
struct SafetensorsJSONMember: Equatable {
    let key: String
    let value: SafetensorsJSON
}

/// A strict RFC 8259 parser for safetensors headers and checkpoint indexes.
///
/// Rejects duplicate keys at any depth, trailing bytes other than whitespace, invalid UTF-8,
/// unescaped control characters, lone surrogates and nesting deeper than `maximumDepth`, so a
/// hostile header can neither smuggle a second definition past us nor exhaust the stack.
struct SafetensorsJSONParser {
    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private let file: String
    private var position = 0

    /// Parses `bytes` as exactly one JSON value surrounded by optional whitespace.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> SafetensorsJSON {
        var parser = SafetensorsJSONParser(bytes: bytes, file: file)
        parser.skipWhitespace()
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw parser.failure("end of JSON") }
        return value
    }

    private init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    private func failure(_ expected: String) -> SafetensorsError {
        .invalidJSON(file: file, offset: position, expected: expected)
    }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
            position += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ description: String) throws {
        guard current == byte else { throw failure(description) }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws -> SafetensorsJSON {
        guard depth < Self.maximumDepth else { throw failure("nesting at most \(Self.maximumDepth) deep") }
        guard let byte = current else { throw failure("a JSON value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("a JSON value")
        }
    }

    private mutating func parseObject(depth: Int) throws -> SafetensorsJSON {
        position += 1  // {
        var members: [SafetensorsJSONMember] = []
        var seen: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard current == UInt8(ascii: "\"") else { throw failure("a string key") }
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw SafetensorsError.duplicateKey(file: file, key: key, offset: keyOffset)
            }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            members.append(SafetensorsJSONMember(key: key, value: try parseValue(depth: depth + 1)))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "}"), "',' or '}'")
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws -> SafetensorsJSON {
        position += 1  // [
        var elements: [SafetensorsJSON] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            if current == UInt8(ascii: ",") {
                position += 1
                continue
            }
            try expect(UInt8(ascii: "]"), "',' or ']'")
            return .array(elements)
        }
    }

    private mutating func parseLiteral(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard bytes.count - position >= count else { throw failure("'\(word)'") }
        for index in 0..<count where bytes[position + index] != word.utf8Start[index] {
            throw failure("'\(word)'")
        }
        position += count
    }

    private mutating func skipDigits() -> Int {
        let start = position
        while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    private mutating func parseNumber() throws -> String {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        if current == UInt8(ascii: "0") {
            position += 1
        } else if skipDigits() == 0 {
            throw failure("a digit")
        }
        if current == UInt8(ascii: ".") {
            position += 1
            guard skipDigits() > 0 else { throw failure("a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard skipDigits() > 0 else { throw failure("a digit in the exponent") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    }

    private mutating func parseString() throws -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw failure("a closing '\"'") }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw failure("a string of valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &utf8)
            case 0..<0x20:
                throw failure("an escaped control character")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        guard let byte = current else { throw failure("an escape character") }
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalarValue = UInt32(try parseHex4())
            if (0xD800..<0xDC00).contains(scalarValue) {
                guard current == UInt8(ascii: "\\") else { throw failure("a low surrogate escape") }
                position += 1
                try expect(UInt8(ascii: "u"), "a low surrogate escape")
                let low = UInt32(try parseHex4())
                guard (0xDC00..<0xE000).contains(low) else { throw failure("a low surrogate escape") }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(scalarValue) else { throw failure("a valid \\u escape") }
            UTF8.encode(scalar) { utf8.append($0) }
        default:
            throw failure("a valid escape character")
        }
    }

    private mutating func parseHex4() throws -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw failure("four hex digits") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("four hex digits")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }
}
