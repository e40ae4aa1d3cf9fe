/// International bank account numbers: a country code, two check digits and a country-specific number
/// of letters and digits, compact or in groups of four, whose mod-97 remainder is 1 (ISO 13616).
enum IBANDetector {
    /// The end of the IBAN starting at `start`, or nil.
    static func iban(_ view: ByteView, _ start: Int) -> Int? {
        guard ASCII.isUpper(view[start]), ASCII.isUpper(view[start + 1]),
              ASCII.isDigit(view[start + 2]), ASCII.isDigit(view[start + 3]),
              let length = lengths[UInt16(view[start]) << 8 | UInt16(view[start + 1])] else { return nil }
        var index = start + 4
        var count = 4
        var groupLength = 4
        while count < length {
            let byte = view[index]
            if ASCII.isUpper(byte) || ASCII.isDigit(byte) {
                count += 1
                groupLength += 1
                index += 1
            } else if byte == ASCII.space, groupLength == 4,
                      ASCII.isUpper(view[index + 1]) || ASCII.isDigit(view[index + 1]) {
                groupLength = 0
                index += 1
            } else {
                return nil
            }
        }
        guard !ASCII.isWord(view[index]) else { return nil }
        var remainder = 0
        func add(_ byte: UInt8) {
            if ASCII.isDigit(byte) {
                remainder = (remainder * 10 + Int(byte &- 0x30)) % 97
            } else if ASCII.isUpper(byte) {
                remainder = (remainder * 100 + Int(byte &- 0x41) + 10) % 97
            }
        }
        for position in (start + 4)..<index { add(view[position]) }
        for position in start..<(start + 4) { add(view[position]) }
        return remainder == 1 ? index : nil
    }

    /// IBAN length by country code (the SWIFT IBAN registry), keyed by the two letters.
    private static let lengths: [UInt16: Int] = {
        let table: [(String, Int)] = [
            ("AD", 24), ("AE", 23), ("AL", 28), ("AT", 20), ("AZ", 28), ("BA", 20), ("BE", 16), ("BG", 22),
            ("BH", 22), ("BR", 29), ("BY", 28), ("CH", 21), ("CR", 22), ("CY", 28), ("CZ", 24), ("DE", 22),
            ("DK", 18), ("DO", 28), ("EE", 20), ("EG", 29), ("ES", 24), ("FI", 18), ("FO", 18), ("FR", 27),
            ("GB", 22), ("GE", 22), ("GI", 23), ("GL", 18), ("GR", 27), ("GT", 28), ("HR", 21), ("HU", 28),
            ("IE", 22), ("IL", 23), ("IQ", 23), ("IS", 26), ("IT", 27), ("JO", 30), ("KW", 30), ("KZ", 20),
            ("LB", 28), ("LC", 32), ("LI", 21), ("LT", 20), ("LU", 20), ("LV", 21), ("LY", 25), ("MC", 27),
            ("MD", 24), ("ME", 22), ("MK", 19), ("MR", 27), ("MT", 31), ("MU", 30), ("NL", 18), ("NO", 15),
            ("PK", 24), ("PL", 28), ("PS", 29), ("PT", 25), ("QA", 29), ("RO", 24), ("RS", 22), ("SA", 24),
            ("SC", 31), ("SD", 18), ("SE", 24), ("SI", 19), ("SK", 24), ("SM", 27), ("ST", 25), ("SV", 28),
            ("TL", 23), ("TN", 24), ("TR", 26), ("UA", 29), ("VA", 22), ("VG", 24), ("XK", 20),
        ]
        var lengths: [UInt16: Int] = [:]
        for (code, length) in table {
            let letters = Array(code.utf8)
            lengths[UInt16(letters[0]) << 8 | UInt16(letters[1])] = length
        }
        return lengths
    }()
}
