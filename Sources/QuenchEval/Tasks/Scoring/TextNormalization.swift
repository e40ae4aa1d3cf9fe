import QuenchGate

/// The normalisations of `exact_match` and `contains`, defined on Unicode code points the way Python
/// defines them on `str`, so that Quench scores what lm-evaluation-harness would.
extension TextMatchOptions {
    /// The text's code points after, in this order: `strip` (Python's `str.strip()`), `ignore_case`
    /// (Python's `str.lower()`), `ignore_punctuation` (every character of Python's
    /// `string.punctuation` deleted).
    /// - Complexity: O(n) in the text's code points.
    public func normalize(_ text: String) -> [Unicode.Scalar] {
        var scalars = Array(text.unicodeScalars)
        if strip { scalars = TextNormalization.stripped(scalars) }
        if ignoreCase { scalars = TextNormalization.lowercased(scalars) }
        if ignorePunctuation { scalars.removeAll(where: TextNormalization.isASCIIPunctuation) }
        return scalars
    }
}

/// Python's definitions of whitespace, lower case and punctuation on code points.
enum TextNormalization {
    /// Python's `str.isspace()`: the code points whose bidirectional class is WS, B or S or whose
    /// general category is Zs (so it includes U+001C…U+001F and U+0085, unlike Unicode's White_Space).
    static func isPythonSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// Python's `str.strip()` with no argument: leading and trailing `isPythonSpace` code points removed.
    static func stripped(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard let first = scalars.firstIndex(where: { !isPythonSpace($0) }),
              let last = scalars.lastIndex(where: { !isPythonSpace($0) }) else { return [] }
        return Array(scalars[first...last])
    }

    /// Python's `str.lower()`: each code point's full lower-case mapping (Unicode's SpecialCasing,
    /// so "İ" becomes "i̇", two code points), and capital sigma "Σ" as final "ς" when a cased letter
    /// precedes it and none follows it (case-ignorable code points skipped), as Python does.
    static func lowercased(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(scalars.count)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\u{03A3}", isFinalSigma(at: index, in: scalars) {
                result.append("\u{03C2}")
            } else {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return result
    }

    /// Unicode's Final_Sigma condition, which Python's `str.lower()` applies.
    static func isFinalSigma(at index: Int, in scalars: [Unicode.Scalar]) -> Bool {
        let before = scalars[..<index].last(where: { !$0.properties.isCaseIgnorable })
        let after = scalars[(index + 1)...].first(where: { !$0.properties.isCaseIgnorable })
        return before?.properties.isCased == true && after?.properties.isCased != true
    }

    /// One of the 32 characters of Python's `string.punctuation`: !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~.
    static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
        default: return false
        }
    }
}
