/// The parsed form of a SafeRegex pattern: only constructs a Thompson NFA can match in linear time.
indirect enum RegexNode: Sendable {
    case empty
    case scalar(Unicode.Scalar)
    /// `.`: any code point but "\n".
    case any
    case set(RegexSet)
    /// `^`: the start of the text.
    case start
    /// `$`: the end of the text.
    case end
    /// `\b` (true) or `\B` (false).
    case wordBoundary(Bool)
    case concatenation([RegexNode])
    case alternation([RegexNode])
    /// `min` to `max` repetitions (nil: unbounded); greedy and lazy forms match the same texts.
    case repetition(RegexNode, min: Int, max: Int?)
}

/// A character class: `[...]`, `[^...]`, or a shorthand such as `\d`.
struct RegexSet: Sendable {
    var negated = false
    var items: [RegexSetItem] = []

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        items.contains { $0.contains(scalar) } != negated
    }
}

/// One member of a class.
enum RegexSetItem: Sendable {
    /// Code points `lower` through `upper`.
    case range(UInt32, UInt32)
    /// `\d` (or `\D` when negated): general category Nd, Python's `\d` on `str`.
    case digit(negated: Bool)
    /// `\w` (or `\W`): a letter or number (general categories L and N) or "_".
    case word(negated: Bool)
    /// `\s` (or `\S`): Python's `str.isspace()` code points.
    case space(negated: Bool)

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .range(let lower, let upper): return lower <= scalar.value && scalar.value <= upper
        case .digit(let negated): return (scalar.properties.generalCategory == .decimalNumber) != negated
        case .word(let negated): return RegexSetItem.isWord(scalar) != negated
        case .space(let negated): return TextNormalization.isPythonSpace(scalar) != negated
        }
    }

    /// What `\w` and `\b` count as a word character.
    static func isWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return scalar == "_"
        }
    }
}
