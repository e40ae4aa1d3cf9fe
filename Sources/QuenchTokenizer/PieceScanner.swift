/// The regex character classes the pre-tokenizers distinguish: \p{L}, \p{N}, \s and everything else.
enum ScalarClass: UInt8 {
    case letter, number, whitespace, other

    /// Classes of the ASCII scalars, computed once by the same rules as the rest.
    private static let ascii: [ScalarClass] = (0..<128).map { classify(Unicode.Scalar(UInt8($0))) }

    init(_ scalar: Unicode.Scalar) {
        self = scalar.value < 128 ? ScalarClass.ascii[Int(scalar.value)] : ScalarClass.classify(scalar)
    }

    /// \p{L} is the letter general categories (not `isAlphabetic`, which also admits marks and
    /// numerals); \p{N} is Nd, Nl, No; \s is the Unicode White_Space property.
    private static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}

/// Scans a text's scalars into pieces by the pre-tokenizer regexes, treating the end of the range
/// being scanned as the end of the text (which is what makes `\s+(?!\S)` keep a trailing run whole).
struct PieceScanner {
    let text: UnsafeBufferPointer<Unicode.Scalar>
    let classes: UnsafeBufferPointer<ScalarClass>

    /// SmolLM: each \p{N} alone, the GPT-2 regex on each stretch between them.
    func scanSmolLM(_ body: (Range<Int>) -> Void) {
        var start = 0
        for index in 0..<text.count where classes[index] == .number {
            if start < index { scanGPT2(start..<index, body) }
            body(index..<(index + 1))
            start = index + 1
        }
        if start < text.count { scanGPT2(start..<text.count, body) }
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` over `range`.
    func scanGPT2(_ range: Range<Int>, _ body: (Range<Int>) -> Void) {
        let end = range.upperBound
        var position = range.lowerBound
        while position < end {
            let next = gpt2PieceEnd(from: position, end: end)
            body(position..<next)
            position = next
        }
    }

    private func gpt2PieceEnd(from start: Int, end: Int) -> Int {
        if let contraction = contractionEnd(from: start, end: end, caseInsensitive: false) {
            return contraction
        }
        // ` ?X+` for X in letters, numbers, other: the optional space is taken only when X follows.
        var first = start
        if text[start] == " ", start + 1 < end, classes[start + 1] != .whitespace { first = start + 1 }
        let runClass = classes[first]
        if runClass != .whitespace {
            return runEnd(from: first, end: end) { $0 == runClass }
        }
        return whitespacePieceEnd(from: start, end: end)
    }

    /// Llama 3 (`maximumDigits` 3) and Qwen 2 (`maximumDigits` 1) over the whole text.
    func scanLlama3(maximumDigits: Int, _ body: (Range<Int>) -> Void) {
        let end = text.count
        var position = 0
        while position < end {
            let next = llama3PieceEnd(from: position, end: end, maximumDigits: maximumDigits)
            body(position..<next)
            position = next
        }
    }

    private func llama3PieceEnd(from start: Int, end: Int, maximumDigits: Int) -> Int {
        if let contraction = contractionEnd(from: start, end: end, caseInsensitive: true) {
            return contraction
        }
        let firstClass = classes[start]
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        if firstClass == .letter {
            return runEnd(from: start, end: end) { $0 == .letter }
        }
        if firstClass != .number, !isLineBreak(text[start]), start + 1 < end, classes[start + 1] == .letter {
            return runEnd(from: start + 1, end: end) { $0 == .letter }
        }
        // `\p{N}{1,maximumDigits}`
        if firstClass == .number {
            let digitsEnd = runEnd(from: start, end: end) { $0 == .number }
            return min(digitsEnd, start + maximumDigits)
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var first = start
        if text[start] == " ", start + 1 < end, classes[start + 1] == .other { first = start + 1 }
        if classes[first] == .other {
            var position = runEnd(from: first, end: end) { $0 == .other }
            while position < end, isLineBreak(text[position]) { position += 1 }
            return position
        }
        // `\s*[\r\n]+`: the whitespace run up to and including its last line break.
        let runStop = runEnd(from: start, end: end) { $0 == .whitespace }
        var lastBreak = runStop - 1
        while lastBreak >= start, !isLineBreak(text[lastBreak]) { lastBreak -= 1 }
        if lastBreak >= start { return lastBreak + 1 }
        return whitespacePieceEnd(from: start, end: end)
    }

    /// `\s+(?!\S)|\s+` at `start`, which holds whitespace: the whole run when it reaches the end,
    /// otherwise all but its last scalar (which then joins the next piece), but at least one.
    private func whitespacePieceEnd(from start: Int, end: Int) -> Int {
        let runStop = runEnd(from: start, end: end) { $0 == .whitespace }
        if runStop == end || runStop - start == 1 { return runStop }
        return runStop - 1
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally ASCII-case-insensitive as in Llama 3's `(?i:...)`.
    private func contractionEnd(from start: Int, end: Int, caseInsensitive: Bool) -> Int? {
        guard text[start] == "'", start + 1 < end else { return nil }
        func letter(_ index: Int) -> UInt32 {
            let value = text[index].value
            return caseInsensitive && (65...90).contains(value) ? value + 32 : value
        }
        let second = letter(start + 1)
        if second == 0x73 || second == 0x74 || second == 0x6D || second == 0x64 { return start + 2 }  // s t m d
        guard start + 2 < end else { return nil }
        let third = letter(start + 2)
        switch (second, third) {
        case (0x72, 0x65), (0x76, 0x65), (0x6C, 0x6C): return start + 3  // re ve ll
        default: return nil
        }
    }

    private func runEnd(from start: Int, end: Int, _ matches: (ScalarClass) -> Bool) -> Int {
        var position = start
        while position < end, matches(classes[position]) { position += 1 }
        return position
    }

    private func isLineBreak(_ scalar: Unicode.Scalar) -> Bool { scalar == "\n" || scalar == "\r" }
}
