/// A strict scan of JSON text that finds what Foundation's decoder does not say: the byte of the first
/// syntax error, or, for valid text, every number with the key path that holds it.
struct JSONScan {
    /// A number literal in the text and where it is.
    struct Number {
        let path: String
        let offset: Int
        let literal: String
    }

    /// The first syntax error: the byte offset and what was expected there.
    struct SyntaxError: Error {
        let offset: Int
        let expected: String
    }

    /// Deeper nesting is refused rather than risking the stack.
    static let maximumDepth = 512

    private let bytes: [UInt8]
    private var index = 0
    private(set) var numbers: [Number] = []

    /// Scans `bytes` whole.
    /// - Throws: `SyntaxError` for text that is not one JSON value.
    init(_ bytes: [UInt8]) throws(SyntaxError) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        try value(path: "", depth: 0)
        skipSpace()
        guard index == bytes.count else { throw SyntaxError(offset: index, expected: "the end of the text") }
    }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(SyntaxError) {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { throw SyntaxError(offset: index, expected: what) }
        index += 1
    }

    private mutating func value(path: String, depth: Int) throws(SyntaxError) {
        skipSpace()
        guard depth < Self.maximumDepth else { throw SyntaxError(offset: index, expected: "nesting at most \(Self.maximumDepth) deep") }
        guard index < bytes.count else { throw SyntaxError(offset: index, expected: "a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return }
            repeat {
                skipSpace()
                let key = try string(expected: "a string key")
                try expect(UInt8(ascii: ":"), "':' after a key")
                try value(path: path.isEmpty ? key : path + "." + key, depth: depth + 1)
                skipSpace()
            } while try more(close: UInt8(ascii: "}"), "',' or '}'")
        case UInt8(ascii: "["):
            index += 1
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return }
            var element = 0
            repeat {
                try value(path: path + "[\(element)]", depth: depth + 1)
                element += 1
                skipSpace()
            } while try more(close: UInt8(ascii: "]"), "',' or ']'")
        case UInt8(ascii: "\""):
            _ = try string(expected: "a string")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try number(path: path)
        default:
            for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
                index += word.utf8.count
                return
            }
            throw SyntaxError(offset: index, expected: "a value (object, array, string, number, true, false or null)")
        }
    }

    /// After a member: true for ',', false for `close`.
    private mutating func more(close: UInt8, _ what: String) throws(SyntaxError) -> Bool {
        guard index < bytes.count else { throw SyntaxError(offset: index, expected: what) }
        let byte = bytes[index]
        index += 1
        if byte == UInt8(ascii: ",") { return true }
        if byte == close { return false }
        index -= 1
        throw SyntaxError(offset: index, expected: what)
    }

    private mutating func string(expected: String) throws(SyntaxError) -> String {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw SyntaxError(offset: index, expected: expected) }
        let start = index + 1
        index += 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: bytes[start..<(index - 1)], as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 2
            case 0..<0x20:
                throw SyntaxError(offset: index, expected: "an escaped control character inside a string")
            default:
                index += 1
            }
        }
        throw SyntaxError(offset: bytes.count, expected: "'\"' to close the string")
    }

    private mutating func number(path: String) throws(SyntaxError) {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard digits() > 0 else { throw SyntaxError(offset: index, expected: "a digit") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw SyntaxError(offset: index, expected: "a digit after '.'") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw SyntaxError(offset: index, expected: "a digit in the exponent") }
        }
        numbers.append(Number(path: path, offset: start, literal: String(decoding: bytes[start..<index], as: UTF8.self)))
    }
}
