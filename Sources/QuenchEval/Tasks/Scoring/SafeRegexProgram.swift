/// One instruction of a Pike VM program.
enum RegexInstruction: Sendable {
    case scalar(Unicode.Scalar)
    case any
    case set(RegexSet)
    /// Continue at both targets (an alternative or a loop).
    case split(Int, Int)
    case jump(Int)
    case assertStart
    case assertEnd
    case assertWordBoundary(Bool)
    case match
}

/// Compiles a `RegexNode` to a Thompson NFA program, refusing one over `SafeRegex.maximumInstructions`
/// before emitting it (counted repetitions are copied, so `(a{1000}){1000}` would be a million).
enum SafeRegexCompiler {
    static func compile(_ node: RegexNode) throws(ReferenceProblem) -> [RegexInstruction] {
        let limit = SafeRegex.maximumInstructions
        guard let size = size(of: node, limit: limit), size + 1 <= limit else {
            throw .regexTooLarge(what: "the compiled program's instruction count", limit: limit)
        }
        var program: [RegexInstruction] = []
        program.reserveCapacity(size + 1)
        emit(node, into: &program)
        program.append(.match)
        return program
    }

    /// The instructions `node` compiles to; nil as soon as the count passes `limit`.
    static func size(of node: RegexNode, limit: Int) -> Int? {
        func checked(_ value: Int) -> Int? { value <= limit ? value : nil }
        func add(_ values: [Int?]) -> Int? {
            var total = 0
            for value in values {
                guard let value else { return nil }
                let (sum, overflow) = total.addingReportingOverflow(value)
                guard !overflow, sum <= limit else { return nil }
                total = sum
            }
            return total
        }
        func times(_ count: Int, _ value: Int) -> Int? {
            let (product, overflow) = count.multipliedReportingOverflow(by: value)
            return overflow ? nil : checked(product)
        }
        switch node {
        case .empty: return 0
        case .scalar, .any, .start, .end, .wordBoundary: return 1
        // A class is tested item by item, so it costs one instruction per item: the budget bounds the
        // work per code point of the answer, not just the program's length.
        case .set(let set): return checked(max(1, set.items.count))
        case .concatenation(let items):
            return add(items.map { size(of: $0, limit: limit) })
        case .alternation(let branches):
            // split + jump around every branch but the last.
            return add(branches.map { size(of: $0, limit: limit) } + [times(branches.count - 1, 2)])
        case .repetition(let body, let minimum, let maximum):
            guard let one = size(of: body, limit: limit) else { return nil }
            if let maximum {
                // min copies, then (max − min) optional copies: split + body each.
                return add([times(minimum, one), times(maximum - minimum, one + 1)])
            }
            // min copies, then a loop: split, body, jump.
            return add([times(minimum, one), one + 2])
        }
    }

    private static func emit(_ node: RegexNode, into program: inout [RegexInstruction]) {
        switch node {
        case .empty: break
        case .scalar(let scalar): program.append(.scalar(scalar))
        case .any: program.append(.any)
        case .set(let set): program.append(.set(set))
        case .start: program.append(.assertStart)
        case .end: program.append(.assertEnd)
        case .wordBoundary(let isBoundary): program.append(.assertWordBoundary(isBoundary))
        case .concatenation(let items):
            for item in items { emit(item, into: &program) }
        case .alternation(let branches):
            var jumps: [Int] = []
            for branch in branches.dropLast() {
                let split = program.count
                program.append(.split(split + 1, 0))
                emit(branch, into: &program)
                jumps.append(program.count)
                program.append(.jump(0))
                program[split] = .split(split + 1, program.count)
            }
            if let last = branches.last { emit(last, into: &program) }
            for jump in jumps { program[jump] = .jump(program.count) }
        case .repetition(let body, let minimum, let maximum):
            for _ in 0..<minimum { emit(body, into: &program) }
            if let maximum {
                for _ in minimum..<maximum {
                    let split = program.count
                    program.append(.split(split + 1, 0))
                    emit(body, into: &program)
                    program[split] = .split(split + 1, program.count)
                }
            } else {
                let split = program.count
                program.append(.split(split + 1, 0))
                emit(body, into: &program)
                program.append(.jump(split))
                program[split] = .split(split + 1, program.count)
            }
        }
    }
}
