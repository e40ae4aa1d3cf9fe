/// Parses a SafeRegex pattern into a `RegexNode`, refusing by name (with the byte offset) every
/// construct a linear-time matcher cannot run: backreferences, lookaround, possessive quantifiers,
/// inline flags, Unicode properties, and any syntax it does not know.
struct SafeRegexParser {
    private let scalars: [Unicode.Scalar]
    /// The UTF-8 byte offset of each scalar, and of the end of the pattern.
    private let offsets: [Int]
    private var index = 0
    private var depth = 0

    /// The tree of `pattern`.
    static func parse(_ pattern: String) throws(ReferenceProblem) -> RegexNode {
        var parser = SafeRegexParser(pattern)
        let node = try parser.alternation()
        if parser.index < parser.scalars.count {
            // Only an unmatched ")" stops the top-level alternation early.
            throw parser.problem("unbalanced parenthesis: ')' without '('")
        }
        return node
    }

    private init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
        var offsets: [Int] = []
        offsets.reserveCapacity(scalars.count + 1)
        var offset = 0
        for scalar in scalars {
            offsets.append(offset)
            offset += UTF8.width(scalar)
        }
        offsets.append(offset)
        self.offsets = offsets
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func peek(_ ahead: Int) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private func problem(_ reason: String, at position: Int? = nil) -> ReferenceProblem {
        .regex(offset: offsets[min(position ?? index, scalars.count)], reason: reason)
    }

    private mutating func alternation() throws(ReferenceProblem) -> RegexNode {
        var branches = [try concatenation()]
        while current == "|" {
            index += 1
            branches.append(try concatenation())
        }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func concatenation() throws(ReferenceProblem) -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = current, scalar != "|", scalar != ")" {
            let atomStart = index
            let atom = try self.atom()
            items.append(try quantified(atom, atomStart: atomStart))
        }
        return items.count == 1 ? items[0] : (items.isEmpty ? .empty : .concatenation(items))
    }

    /// `atom` followed by any quantifier.
    private mutating func quantified(_ atom: RegexNode, atomStart: Int) throws(ReferenceProblem) -> RegexNode {
        let quantifierStart = index
        guard let bounds = try quantifier() else { return atom }
        switch atom {
        case .start, .end, .wordBoundary: throw problem("nothing to repeat: an anchor cannot take a quantifier", at: quantifierStart)
        default: break
        }
        if current == "?" {
            index += 1  // lazy: the same texts match
        } else if current == "+" {
            throw problem("possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported")
        }
        let nextStart = index
        if try quantifier() != nil { throw problem("multiple repeat: a quantifier cannot follow a quantifier", at: nextStart) }
        return .repetition(atom, min: bounds.min, max: bounds.max)
    }

    /// `*`, `+`, `?`, `{m}`, `{m,}`, `{,n}` or `{m,n}` at the current position, consumed; nil when
    /// there is none (a "{" that does not start one is a literal, as in Python).
    private mutating func quantifier() throws(ReferenceProblem) -> (min: Int, max: Int?)? {
        switch current {
        case "*": index += 1; return (0, nil)
        case "+": index += 1; return (1, nil)
        case "?": index += 1; return (0, 1)
        case "{": return try braces()
        default: return nil
        }
    }

    private mutating func braces() throws(ReferenceProblem) -> (min: Int, max: Int?)? {
        let start = index
        var cursor = index + 1
        func number() throws(ReferenceProblem) -> Int? {
            var value: Int?
            while cursor < scalars.count, scalars[cursor].isASCII, ("0"..."9").contains(scalars[cursor]) {
                let next = (value ?? 0) * 10 + Int(scalars[cursor].value - 48)
                guard next <= SafeRegex.maximumRepetition else {
                    throw .regexTooLarge(what: "the repetition count at byte \(offsets[start])", limit: SafeRegex.maximumRepetition)
                }
                value = next
                cursor += 1
            }
            return value
        }
        let lower = try number()
        var upper = lower
        var hasComma = false
        if cursor < scalars.count, scalars[cursor] == "," {
            hasComma = true
            cursor += 1
            upper = try number()
        }
        guard cursor < scalars.count, scalars[cursor] == "}", lower != nil || hasComma else { return nil }
        index = cursor + 1
        let minimum = lower ?? 0
        if let upper, upper < minimum {
            throw problem("min repeat greater than max repeat in {\(minimum),\(upper)}", at: start)
        }
        return (minimum, upper)
    }

    private mutating func atom() throws(ReferenceProblem) -> RegexNode {
        guard let scalar = current else { return .empty }
        switch scalar {
        case "*", "+", "?":
            throw problem("nothing to repeat: '\(scalar)' follows nothing")
        case "{":
            let start = index
            if try braces() != nil { throw problem("nothing to repeat: '{' follows nothing", at: start) }
            index += 1
            return .scalar("{")
        case "(":
            return try group()
        case "[":
            return .set(try set())
        case ".":
            index += 1
            return .any
        case "^":
            index += 1
            return .start
        case "$":
            index += 1
            return .end
        case "\\":
            return try escape()
        default:
            index += 1
            return .scalar(scalar)
        }
    }

    private mutating func group() throws(ReferenceProblem) -> RegexNode {
        let open = index
        index += 1
        if current == "?" {
            try groupExtension(at: open)
        }
        depth += 1
        guard depth <= SafeRegex.maximumNesting else {
            throw .regexTooLarge(what: "the group nesting at byte \(offsets[open])", limit: SafeRegex.maximumNesting)
        }
        let body = try alternation()
        depth -= 1
        guard current == ")" else { throw problem("missing ')': the group opened here is not closed", at: open) }
        index += 1
        return body
    }

    /// After "(?": accepts the non-capturing "(?:" and refuses every other extension by name.
    private mutating func groupExtension(at open: Int) throws(ReferenceProblem) {
        let next = peek(1)
        let after = peek(2)
        switch next {
        case ":":
            index += 2
            return
        case "=", "!":
            throw problem("lookahead (?= and (?! is not supported", at: open)
        case "<" where after == "=" || after == "!":
            throw problem("lookbehind (?<= and (?<! is not supported", at: open)
        case "P" where after == "=":
            throw problem("backreferences are not supported", at: open)
        case "P", "<":
            throw problem("named groups are not supported; use (...) or (?:...)", at: open)
        case ">":
            throw problem("atomic groups (?>...) are not supported", at: open)
        case "#":
            throw problem("comments (?#...) are not supported", at: open)
        case "(":
            throw problem("conditional groups (?(...)...) are not supported", at: open)
        case let flag? where "aiLmsux-".unicodeScalars.contains(flag):
            throw problem("inline flags such as (?i) are not supported; the match is always case-sensitive", at: open)
        default:
            throw problem("unknown group extension '(?\(next.map { String($0) } ?? "")'", at: open)
        }
    }

    private mutating func escape() throws(ReferenceProblem) -> RegexNode {
        let start = index
        switch try escapeInSet(insideSet: false) {
        case .scalar(let scalar): return .scalar(scalar)
        case .item(let item): return .set(RegexSet(items: [item]))
        case .boundary(let isBoundary): return .wordBoundary(isBoundary)
        case nil: throw problem("unexpected escape", at: start)
        }
    }

    private enum Escaped { case scalar(Unicode.Scalar), item(RegexSetItem), boundary(Bool) }

    /// The escape at the current "\\", consumed.
    private mutating func escapeInSet(insideSet: Bool) throws(ReferenceProblem) -> Escaped? {
        let start = index
        index += 1
        guard let scalar = current else { throw problem("the pattern ends with a backslash", at: start) }
        index += 1
        switch scalar {
        case "d": return .item(.digit(negated: false))
        case "D": return .item(.digit(negated: true))
        case "w": return .item(.word(negated: false))
        case "W": return .item(.word(negated: true))
        case "s": return .item(.space(negated: false))
        case "S": return .item(.space(negated: true))
        case "n": return .scalar("\n")
        case "t": return .scalar("\t")
        case "r": return .scalar("\r")
        case "f": return .scalar("\u{0C}")
        case "v": return .scalar("\u{0B}")
        case "b" where !insideSet: return .boundary(true)
        case "B" where !insideSet: return .boundary(false)
        case "b", "B":
            throw problem("\\b and \\B are not supported inside a class", at: start)
        case "1"..."9", "k":
            throw problem("backreferences (\\1, \\k<name>) are not supported", at: start)
        case "0":
            throw problem("octal escapes are not supported; write the character itself", at: start)
        case "p", "P":
            throw problem("Unicode properties (\\p{...}, \\P{...}) are not supported", at: start)
        case "x", "u", "U", "N":
            throw problem("code point escapes (\\x, \\u, \\U, \\N) are not supported; write the character itself", at: start)
        default:
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                throw problem("unknown escape '\\\(scalar)'", at: start)
            }
            return .scalar(scalar)
        }
    }

    /// A class after "[": `^` negates, "]" first is a literal, `a-z` ranges, escapes inside.
    private mutating func set() throws(ReferenceProblem) -> RegexSet {
        let open = index
        index += 1
        var set = RegexSet()
        if current == "^" {
            set.negated = true
            index += 1
        }
        var first = true
        while true {
            guard let scalar = current else { throw problem("unterminated character set: '[' without ']'", at: open) }
            if scalar == "]" && !first {
                index += 1
                return set
            }
            first = false
            if scalar == "[", peek(1) == ":" {
                throw problem("POSIX classes such as [:alpha:] are not supported; use \\d, \\w, \\s or ranges")
            }
            let itemStart = index
            guard let lower = try setMember() else { continue }
            guard case .scalar(let low) = lower else {
                if case .item(let item) = lower { set.items.append(item) }
                if current == "-", let after = peek(1), after != "]" {
                    throw problem("bad character range: a class escape cannot start a range", at: itemStart)
                }
                continue
            }
            if current == "-", let after = peek(1), after != "]" {
                index += 1
                let upperStart = index
                guard case .scalar(let high)? = try setMember() else {
                    throw problem("bad character range: a range must end in a character", at: upperStart)
                }
                guard low.value <= high.value else { throw problem("bad character range \(low)-\(high)", at: itemStart) }
                set.items.append(.range(low.value, high.value))
            } else {
                set.items.append(.range(low.value, low.value))
            }
        }
    }

    /// One member of a class: a character or a class escape, consumed.
    private mutating func setMember() throws(ReferenceProblem) -> Escaped? {
        guard let scalar = current else { return nil }
        if scalar == "\\" { return try escapeInSet(insideSet: true) }
        index += 1
        return .scalar(scalar)
    }
}
