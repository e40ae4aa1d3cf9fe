extension PIIDetector {
    /// The e-mail address around the `@` at `at`: a local part of up to 64 letters, digits and
    /// `._%+-` (not before `floor`, the end of the previous match), and a domain of at least two labels
    /// whose last is two or more letters. `user@localhost` and `@handle` do not match.
    static func email(_ view: ByteView, at: Int, floor: Int) -> PIIMatch? {
        var start = at
        while start > floor, at - start < 64, isLocalPart(view[start - 1]) { start -= 1 }
        while start < at, view[start] == ASCII.dot { start += 1 }
        guard start < at, view[at - 1] != ASCII.dot, !ASCII.isWord(view[start - 1]) || start == floor else { return nil }
        var index = at + 1
        var labels = 0
        var end: Int?
        while ASCII.isAlphanumeric(view[index]) {
            let labelStart = index
            var lettersOnly = true
            while ASCII.isAlphanumeric(view[index]) || view[index] == ASCII.dash {
                lettersOnly = lettersOnly && ASCII.isLetter(view[index])
                index += 1
            }
            guard view[index - 1] != ASCII.dash, index - labelStart <= 63 else { break }
            labels += 1
            if labels >= 2, lettersOnly, index - labelStart >= 2 { end = index }
            guard view[index] == ASCII.dot, ASCII.isAlphanumeric(view[index + 1]) else { break }
            index += 1
        }
        guard let end, !ASCII.isWord(view[end]) else { return nil }
        return PIIMatch(kind: .email, start: start, end: end)
    }

    @inline(__always) private static func isLocalPart(_ byte: UInt8) -> Bool {
        ASCII.isAlphanumeric(byte) || byte == ASCII.dot || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "%")
            || byte == ASCII.plus || byte == ASCII.dash
    }
}
