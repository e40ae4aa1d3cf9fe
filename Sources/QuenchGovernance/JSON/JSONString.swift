/// Decoding and encoding the content of JSON strings (between the quotes), byte for byte.
enum JSONString {
    /// The UTF-8 bytes `content` (escaped JSON string content) stands for. Invalid escapes and lone
    /// surrogates become U+FFFD rather than failing: the scanner must read hostile text, not judge it.
    static func decode(_ content: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        let view = ByteView(content)
        var index = 0
        while index < view.count {
            let byte = view[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = view[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(view, index)
                index += 4
                if let high = scalar, (0xD800..<0xDC00).contains(high), view[index] == UInt8(ascii: "\\"),
                   view[index + 1] == UInt8(ascii: "u"), let low = hex4(view, index + 2), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                let character = scalar.flatMap(Unicode.Scalar.init) ?? "\u{FFFD}"
                output.append(contentsOf: String(Character(character)).utf8)
            default: output.append(escape)
            }
        }
    }

    private static func hex4(_ view: ByteView, _ start: Int) -> UInt32? {
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = view[start + offset]
            let digit: UInt8
            if ASCII.isDigit(byte) { digit = byte &- 0x30 }
            else if ASCII.isHex(byte) { digit = (byte | 0x20) &- 0x61 + 10 }
            else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Appends `bytes` to `output` as JSON string content: quotes, backslashes and control bytes escaped.
    static func encode(_ bytes: some Sequence<UInt8>, into output: inout [UInt8]) {
        let hexDigits = Array("0123456789abcdef".utf8)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
    }
}
