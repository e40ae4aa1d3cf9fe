import Foundation

/// What detection reads instead of a raw value: compatibility-composed (NFKC, so a fullwidth `＠` or
/// `５` is `@` or `5`) and without format characters (Unicode category Cf: zero-width spaces and
/// joiners, soft hyphens, direction marks). Those render as nothing or as their plain look-alikes, so a
/// reader, and a model trained on the text, sees the finding the raw bytes would hide.
enum TextNormalizer {
    /// The normalised form of `bytes` (invalid UTF-8 read as U+FFFD), or nil when it equals `bytes`.
    /// - Complexity: O(n); ASCII text, which is always normal, is recognised in one pass without copying.
    static func normalized(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        let composed = String(decoding: bytes, as: UTF8.self).precomposedStringWithCompatibilityMapping
        var visible = String.UnicodeScalarView()
        visible.append(contentsOf: composed.unicodeScalars.lazy.filter { $0.properties.generalCategory != .format })
        let result = Array(String(visible).utf8)
        return result.elementsEqual(bytes) ? nil : result
    }

    /// The byte offset of the first invalid UTF-8 sequence in `bytes`, or nil when they are valid UTF-8.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard bytes.contains(where: { $0 >= 0x80 }) else { return nil }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}
