/// Detectors for numbers: IP addresses, social security, phone and payment card numbers. Each takes
/// the position of a word start and returns the end of the match, or nil.
enum NumberDetectors {
    /// True when the `length` bytes at `start` are digits.
    @inline(__always) static func digits(_ view: ByteView, _ start: Int, _ length: Int) -> Bool {
        for offset in 0..<length where !ASCII.isDigit(view[start + offset]) { return false }
        return true
    }

    /// The decimal value of the `length` digits at `start` (already checked to be digits).
    @inline(__always) static func value(_ view: ByteView, _ start: Int, _ length: Int) -> Int {
        var result = 0
        for offset in 0..<length { result = result * 10 + Int(view[start + offset] &- 0x30) }
        return result
    }

    /// True when the match ending at `end` is not followed by more of a word or a number.
    @inline(__always) static func endsCleanly(_ view: ByteView, _ end: Int) -> Bool {
        let next = view[end]
        if ASCII.isWord(next) { return false }
        return !((next == ASCII.dot || next == ASCII.dash) && ASCII.isDigit(view[end + 1]))
    }

    /// Four dotted decimal octets of 0-255 without leading zeros, e.g. `192.168.1.20`.
    static func ipv4(_ view: ByteView, _ start: Int) -> Int? {
        guard let end = ipv4Octets(view, start), endsCleanly(view, end) else { return nil }
        return end
    }

    private static func ipv4Octets(_ view: ByteView, _ start: Int) -> Int? {
        var index = start
        for octet in 0..<4 {
            if octet > 0 {
                guard view[index] == ASCII.dot else { return nil }
                index += 1
            }
            let first = index
            while ASCII.isDigit(view[index]) && index - first < 4 { index += 1 }
            let length = index - first
            guard length >= 1, length <= 3, value(view, first, length) <= 255,
                  length == 1 || view[first] != 0x30 else { return nil }
        }
        return index
    }

    /// Eight colon-separated groups of 1-4 hex digits, or fewer with one `::`, optionally ending in an
    /// IPv4 address. Times (`12:30:45`) and MAC addresses (six groups) do not match.
    static func ipv6(_ view: ByteView, _ start: Int) -> Int? {
        var index = start
        var groups = 0
        var compressed = false
        if view[index] == ASCII.colon {
            guard view[index + 1] == ASCII.colon, ASCII.isHex(view[index + 2]) else { return nil }
            compressed = true
            index += 2
        }
        while true {
            let groupStart = index
            while ASCII.isHex(view[index]) && index - groupStart < 5 { index += 1 }
            let length = index - groupStart
            guard length >= 1, length <= 4 else { return nil }
            if view[index] == ASCII.dot {
                guard groups <= 6, let end = ipv4Octets(view, groupStart) else { return nil }
                groups += 2
                index = end
                break
            }
            groups += 1
            guard view[index] == ASCII.colon else { break }
            if view[index + 1] == ASCII.colon {
                guard !compressed else { return nil }
                compressed = true
                index += 2
                if ASCII.isHex(view[index]) { continue }
                break
            }
            guard ASCII.isHex(view[index + 1]) else { break }
            index += 1
        }
        guard compressed ? groups <= 7 : groups == 8, endsCleanly(view, index) else { return nil }
        return index
    }

    /// `AAA-GG-SSSS`, excluding area 000, 666 and 900-999, group 00 and serial 0000 (never issued).
    static func ssn(_ view: ByteView, _ start: Int) -> Int? {
        guard digits(view, start, 3), view[start + 3] == ASCII.dash, digits(view, start + 4, 2),
              view[start + 6] == ASCII.dash, digits(view, start + 7, 4) else { return nil }
        let area = value(view, start, 3)
        guard area != 0, area != 666, area < 900, value(view, start + 4, 2) != 0,
              value(view, start + 7, 4) != 0, endsCleanly(view, start + 11) else { return nil }
        return start + 11
    }

    @inline(__always) private static func isPhoneSeparator(_ byte: UInt8) -> Bool {
        byte == ASCII.dash || byte == ASCII.dot || byte == ASCII.space
    }

    /// North American numbers with separators: `415-555-2671`, `(415) 555-2671`, `1-415-555-2671`,
    /// `415.555.2671`. Area code and exchange start with 2-9; bare ten-digit runs are not matched
    /// (they are more often ids and timestamps than phone numbers).
    static func northAmericanPhone(_ view: ByteView, _ start: Int) -> Int? {
        var index = start
        if view[index] == UInt8(ascii: "1"), isPhoneSeparator(view[index + 1]),
           ASCII.isDigit(view[index + 2]) || view[index + 2] == ASCII.openParenthesis {
            index += 2
        }
        let areaStart: Int
        if view[index] == ASCII.openParenthesis {
            guard digits(view, index + 1, 3), view[index + 4] == ASCII.closeParenthesis else { return nil }
            areaStart = index + 1
            index += 5
            if view[index] == ASCII.space { index += 1 }
        } else {
            guard digits(view, index, 3), isPhoneSeparator(view[index + 3]) else { return nil }
            areaStart = index
            index += 4
        }
        guard view[areaStart] >= UInt8(ascii: "2"), digits(view, index, 3), view[index] >= UInt8(ascii: "2"),
              isPhoneSeparator(view[index + 3]), digits(view, index + 4, 4),
              endsCleanly(view, index + 8) else { return nil }
        return index + 8
    }

    /// `+` and 8-15 digits, optionally grouped by single spaces, dashes, dots or one `(…)`:
    /// `+14155552671`, `+44 20 7946 0958`, `+1 (415) 555-2671`.
    static func e164Phone(_ view: ByteView, _ start: Int) -> Int? {
        guard view[start + 1] >= UInt8(ascii: "1"), ASCII.isDigit(view[start + 1]) else { return nil }
        var index = start + 1
        var count = 0
        var end = index
        var parenthesisOpen = false
        while true {
            let byte = view[index]
            if ASCII.isDigit(byte) {
                count += 1
                guard count <= 15 else { return nil }
                index += 1
                end = index
            } else if isPhoneSeparator(byte), ASCII.isDigit(view[index + 1]) || view[index + 1] == ASCII.openParenthesis {
                index += 1
            } else if byte == ASCII.openParenthesis, !parenthesisOpen, ASCII.isDigit(view[index + 1]) {
                parenthesisOpen = true
                index += 1
            } else if byte == ASCII.closeParenthesis, parenthesisOpen {
                parenthesisOpen = false
                index += 1
            } else {
                break
            }
        }
        guard count >= 8, !parenthesisOpen, !ASCII.isWord(view[end]) else { return nil }
        return end
    }

    /// 13-19 digits starting with 3-6 (the card networks' ranges), compact or in groups of 3-6 split by
    /// single spaces or dashes, passing the Luhn check.
    static func paymentCard(_ view: ByteView, _ start: Int) -> Int? {
        let first = view[start]
        guard first >= UInt8(ascii: "3"), first <= UInt8(ascii: "6") else { return nil }
        var index = start
        var count = 0
        var groupLength = 0
        var end = start
        while true {
            let byte = view[index]
            if ASCII.isDigit(byte) {
                count += 1
                groupLength += 1
                guard count <= 19 else { return nil }
                index += 1
                end = index
            } else if byte == ASCII.space || byte == ASCII.dash, ASCII.isDigit(view[index + 1]) {
                guard groupLength >= 3, groupLength <= 6 else { return nil }
                groupLength = 0
                index += 1
            } else {
                break
            }
        }
        guard count >= 13, groupLength >= 3, groupLength <= 19, endsCleanly(view, end),
              passesLuhn(view, start, end) else { return nil }
        return end
    }

    /// The Luhn checksum over the digits in `start..<end` (separators skipped).
    static func passesLuhn(_ view: ByteView, _ start: Int, _ end: Int) -> Bool {
        var sum = 0
        var doubles = false
        var index = end - 1
        while index >= start {
            let byte = view[index]
            if ASCII.isDigit(byte) {
                var digit = Int(byte &- 0x30)
                if doubles {
                    digit *= 2
                    if digit > 9 { digit -= 9 }
                }
                sum += digit
                doubles.toggle()
            }
            index -= 1
        }
        return sum % 10 == 0
    }
}
