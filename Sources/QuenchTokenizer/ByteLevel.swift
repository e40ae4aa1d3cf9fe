/// GPT-2's reversible byte ↔ character table: byte-level vocabularies spell every byte as a
/// printable character, so a token's text is the byte sequence it stands for.
enum ByteLevel {
    /// Printable Latin-1 bytes stand for themselves; the other 68 (controls, space, DEL, NBSP,
    /// soft hyphen) are shifted, in byte order, to U+0100 onwards (space becomes "Ġ").
    static let scalarForByte: [Unicode.Scalar] = {
        var table: [Unicode.Scalar] = []
        table.reserveCapacity(256)
        var shifted: UInt32 = 256
        for byte in 0..<256 {
            if (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte) {
                table.append(Unicode.Scalar(UInt8(byte)))
            } else {
                table.append(Unicode.Scalar(shifted) ?? "?")  // 256...323 are all valid scalars
                shifted += 1
            }
        }
        return table
    }()

    /// The inverse of `scalarForByte`.
    static let byteForScalar: [Unicode.Scalar: UInt8] = {
        var inverse: [Unicode.Scalar: UInt8] = [:]
        for (byte, scalar) in scalarForByte.enumerated() { inverse[scalar] = UInt8(byte) }
        return inverse
    }()

    /// The token text that spells `bytes`.
    static func tokenText<Bytes: Sequence<UInt8>>(for bytes: Bytes) -> String {
        var view = String.UnicodeScalarView()
        for byte in bytes { view.append(scalarForByte[Int(byte)]) }
        return String(view)
    }

    /// The bytes a normal token's text stands for; a character outside the table (which a
    /// well-formed byte-level vocabulary never has) contributes its own UTF-8 bytes.
    static func bytes(ofTokenText text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if let byte = byteForScalar[scalar] {
                bytes.append(byte)
            } else {
                bytes.append(contentsOf: scalar.utf8)
            }
        }
        return bytes
    }
}
