/// One step of the path from a JSON document's root to a value.
enum JSONPathComponent {
    /// An object member, by the byte range of its key (without quotes) in the document.
    case key(start: Int, end: Int)
    /// An array element, by index.
    case index(Int)
}

/// A string value found in a JSON document.
struct JSONStringSpan {
    /// Byte range of the string's content (between the quotes) in the document.
    let start: Int
    let end: Int
    /// True when the content holds backslash escapes, so its bytes differ from the decoded value.
    let escaped: Bool
}

/// How a walk over a JSON document ended.
enum JSONWalkOutcome: Equatable {
    /// The bytes are one well-formed JSON value; every string value was visited.
    case complete
    /// The bytes are not JSON from `offset` on.
    case malformed(offset: Int)
    /// Containers nest deeper than `JSONStringWalker.maximumDepth` at `offset`.
    case tooDeep(offset: Int)
}

/// Walks one JSON document (a JSONL line) and reports every string value with its path, in one pass
/// over the bytes and without building any objects: what scanning and redaction need from a record.
struct JSONStringWalker {
    /// Most containers nested in one another that are walked: as deep as Foundation's `JSONSerialization` (which reads records for
    /// training) accepts, so every record the trainer can read is walked field by field.
    static let maximumDepth = 512

    private let view: ByteView
    private var index = 0
    private var path: [JSONPathComponent] = []
    private var tooDeep = false

    private init(_ bytes: UnsafeRawBufferPointer) { view = ByteView(bytes) }

    /// Calls `visit` with each string value and its path, in document order.
    /// - Returns: `.complete`, or where the bytes stop being one well-formed JSON value (strings
    ///   already visited stay visited; callers then read the rest of the line as plain text).
    static func walk(_ bytes: UnsafeRawBufferPointer,
                     _ visit: (JSONStringSpan, [JSONPathComponent]) -> Void) -> JSONWalkOutcome {
        var walker = JSONStringWalker(bytes)
        guard walker.value(depth: 0, visit) else {
            let offset = min(walker.index, bytes.count)
            return walker.tooDeep ? .tooDeep(offset: offset) : .malformed(offset: offset)
        }
        walker.skipWhitespace()
        return walker.index == walker.view.count ? .complete : .malformed(offset: walker.index)
    }

    /// The dotted field name of `path` in `bytes`, e.g. `messages[1].content`; "" for the root.
    static func fieldName(_ path: [JSONPathComponent], in bytes: UnsafeRawBufferPointer) -> String {
        var name = ""
        for component in path {
            switch component {
            case .key(let start, let end):
                if !name.isEmpty { name += "." }
                name += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            case .index(let position):
                name += "[\(position)]"
            }
        }
        return name
    }

    private mutating func skipWhitespace() {
        while true {
            let byte = view[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index += 1
        }
    }

    private mutating func value(depth: Int, _ visit: (JSONStringSpan, [JSONPathComponent]) -> Void) -> Bool {
        skipWhitespace()
        switch view[index] {
        case UInt8(ascii: "{"):
            guard opens(depth) else { return false }
            index += 1
            skipWhitespace()
            if view[index] == UInt8(ascii: "}") {
                index += 1
                return true
            }
            while true {
                skipWhitespace()
                guard let key = string() else { return false }
                skipWhitespace()
                guard view[index] == ASCII.colon else { return false }
                index += 1
                path.append(.key(start: key.start, end: key.end))
                guard value(depth: depth + 1, visit) else { return false }
                path.removeLast()
                skipWhitespace()
                if view[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard view[index] == UInt8(ascii: "}") else { return false }
                index += 1
                return true
            }
        case UInt8(ascii: "["):
            guard opens(depth) else { return false }
            index += 1
            skipWhitespace()
            if view[index] == UInt8(ascii: "]") {
                index += 1
                return true
            }
            var position = 0
            while true {
                path.append(.index(position))
                guard value(depth: depth + 1, visit) else { return false }
                path.removeLast()
                position += 1
                skipWhitespace()
                if view[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard view[index] == UInt8(ascii: "]") else { return false }
                index += 1
                return true
            }
        case UInt8(ascii: "\""):
            guard let span = string() else { return false }
            visit(span, path)
            return true
        case UInt8(ascii: "t"):
            return literal("true")
        case UInt8(ascii: "f"):
            return literal("false")
        case UInt8(ascii: "n"):
            return literal("null")
        default:
            return number()
        }
    }

    /// True when a container may open at `depth`; otherwise marks the document as too deep.
    private mutating func opens(_ depth: Int) -> Bool {
        tooDeep = depth >= Self.maximumDepth
        return !tooDeep
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        guard view.matches(word, at: index) else { return false }
        index += word.utf8CodeUnitCount
        return true
    }

    /// A number, checked loosely (digits, sign, point and exponent): scanning needs its end, not its value.
    private mutating func number() -> Bool {
        let start = index
        while true {
            let byte = view[index]
            guard ASCII.isDigit(byte) || byte == ASCII.dash || byte == ASCII.plus || byte == ASCII.dot
                    || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") else { break }
            index += 1
        }
        return index > start
    }

    /// The string at `index` (which must be a quote); nil when unterminated or holding a raw control byte.
    private mutating func string() -> JSONStringSpan? {
        guard view[index] == UInt8(ascii: "\"") else { return nil }
        index += 1
        let start = index
        var escaped = false
        let count = view.count
        while index < count {
            let byte = view.base[index]
            if byte == UInt8(ascii: "\"") {
                let span = JSONStringSpan(start: start, end: index, escaped: escaped)
                index += 1
                return span
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 2
                continue
            }
            guard byte >= 0x20 else { return nil }
            index += 1
        }
        return nil
    }
}
