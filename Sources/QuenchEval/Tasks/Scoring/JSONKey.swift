/// An object key compared code point by code point, as Python compares `str` (Swift's `String`
/// would treat "é" and "e" + U+0301 as one key).
struct JSONKey: Hashable, Sendable, CustomStringConvertible {
    let text: String

    init(_ text: String) { self.text = text }

    static func == (a: JSONKey, b: JSONKey) -> Bool { a.text.unicodeScalars.elementsEqual(b.text.unicodeScalars) }

    func hash(into hasher: inout Hasher) {
        for scalar in text.unicodeScalars { hasher.combine(scalar.value) }
    }

    var description: String { text }
}
