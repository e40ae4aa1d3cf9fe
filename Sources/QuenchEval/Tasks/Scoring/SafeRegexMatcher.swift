/// Runs a program over a text as a Pike VM: every thread advances in lock step, one code point at a
/// time, and a set of program counters holds each state at most once per position, so a search
/// takes O(text × program) steps whatever the pattern (no backtracking, so no catastrophic cases).
struct SafeRegexMatcher {
    let program: [RegexInstruction]

    /// Whether the program matches anywhere in `text` (an unanchored search).
    func search(_ text: String) -> Bool {
        let input = Array(text.unicodeScalars)
        var current = ThreadSet(capacity: program.count)
        var next = ThreadSet(capacity: program.count)
        var stack: [Int] = []
        for position in 0...input.count {
            // A new thread starts at every position: the search is unanchored.
            if addClosure(from: 0, at: position, input: input, into: &current, stack: &stack) { return true }
            guard position < input.count else { break }
            let scalar = input[position]
            for pc in current.members {
                let advances: Bool
                switch program[pc] {
                case .scalar(let expected): advances = scalar == expected
                case .any: advances = scalar != "\n"
                case .set(let set): advances = set.contains(scalar)
                case .split, .jump, .assertStart, .assertEnd, .assertWordBoundary, .match: advances = false
                }
                if advances, addClosure(from: pc + 1, at: position + 1, input: input, into: &next, stack: &stack) {
                    return true
                }
            }
            swap(&current, &next)
            next.removeAll()
        }
        return false
    }

    /// Adds `start` and every state reachable from it without consuming input at `position` to
    /// `threads`; true when that reaches `match`.
    private func addClosure(from start: Int, at position: Int, input: [Unicode.Scalar],
                            into threads: inout ThreadSet, stack: inout [Int]) -> Bool {
        stack.append(start)
        while let pc = stack.popLast() {
            guard threads.insert(pc) else { continue }
            switch program[pc] {
            case .match:
                stack.removeAll()
                return true
            case .jump(let target):
                stack.append(target)
            case .split(let first, let second):
                stack.append(second)
                stack.append(first)
            case .assertStart:
                if position == 0 { stack.append(pc + 1) }
            case .assertEnd:
                if position == input.count { stack.append(pc + 1) }
            case .assertWordBoundary(let isBoundary):
                let before = position > 0 && RegexSetItem.isWord(input[position - 1])
                let after = position < input.count && RegexSetItem.isWord(input[position])
                if (before != after) == isBoundary { stack.append(pc + 1) }
            case .scalar, .any, .set:
                break
            }
        }
        return false
    }
}

/// A sparse set of program counters with O(1) insert, membership and clear, in insertion order.
struct ThreadSet {
    private(set) var members: [Int] = []
    private var present: [Bool]

    init(capacity: Int) {
        present = Array(repeating: false, count: capacity)
        members.reserveCapacity(capacity)
    }

    /// Inserts `pc`; false when it was already there.
    mutating func insert(_ pc: Int) -> Bool {
        guard !present[pc] else { return false }
        present[pc] = true
        members.append(pc)
        return true
    }

    mutating func removeAll() {
        for pc in members { present[pc] = false }
        members.removeAll(keepingCapacity: true)
    }
}
