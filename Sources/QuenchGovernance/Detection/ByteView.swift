/// Bounds-safe reads of a byte buffer: positions outside it read as 0, a byte no detector accepts,
/// so detectors can look ahead and behind without checking the length at every step.
struct ByteView {
    let base: UnsafeRawBufferPointer
    let count: Int

    init(_ base: UnsafeRawBufferPointer) {
        self.base = base
        self.count = base.count
    }

    @inline(__always) subscript(_ index: Int) -> UInt8 {
        index >= 0 && index < count ? base[index] : 0
    }

    /// True when the bytes at `index` are `literal`.
    @inline(__always) func matches(_ literal: StaticString, at index: Int) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard index >= 0, length <= count - index else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<length where base[index + offset] != pointer[offset] { return false }
        return true
    }
}

/// Character classes over ASCII bytes.
enum ASCII {
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) static func isUpper(_ byte: UInt8) -> Bool { byte &- 0x41 < 26 }
    @inline(__always) static func isLower(_ byte: UInt8) -> Bool { byte &- 0x61 < 26 }
    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }
    /// Letters, digits and `_`: a byte that continues a word, so a match may not start or end next to it.
    @inline(__always) static func isWord(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == 0x5F }
    @inline(__always) static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20) &- 0x61 < 6 }
    /// The base64url alphabet: letters, digits, `-` and `_`.
    @inline(__always) static func isBase64URL(_ byte: UInt8) -> Bool { isWord(byte) || byte == 0x2D }
}
