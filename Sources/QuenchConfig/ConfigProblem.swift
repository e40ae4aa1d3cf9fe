/// One problem in a configuration file, at the line and column (1-based) of the offending node.
public struct ConfigProblem: Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, with what was expected and what was found.
    public enum Kind: Equatable, Sendable {
        /// A key the schema does not have; `suggestion` is the closest known key, if any is close.
        case unknownKey(suggestion: String?, known: [String])
        /// A value of the wrong shape, e.g. text where a number belongs.
        case wrongType(expected: String, found: String)
        /// A required key is absent.
        case missing
        /// A value of the right type outside what is allowed.
        case invalidValue(requirement: String, found: String)
        /// The key cannot be given together with `other`.
        case conflict(with: String)
        /// A value or an absence refused by a rule that explains itself in `reason` (what was found
        /// and what to do), e.g. a Slurm time limit `sbatch` would not take.
        case refused(reason: String)
    }

    public let file: String
    public let line: Int
    public let column: Int
    /// Dotted path of the key, e.g. `optimizer.learning_rate`.
    public let key: String
    public let kind: Kind

    /// A problem at `line`:`column` of `file`.
    public init(file: String, line: Int, column: Int, key: String, kind: Kind) {
        self.file = file
        self.line = line
        self.column = column
        self.key = key
        self.kind = kind
    }

    /// What is wrong, without the place.
    public var message: String {
        switch kind {
        case .unknownKey(let suggestion?, _): return "unknown key, did you mean '\(suggestion)'?"
        case .unknownKey(nil, let known): return "unknown key; known keys are \(known.joined(separator: ", "))"
        case .wrongType(let expected, let found): return "expected \(expected), found \(found)"
        case .missing: return "required key is missing"
        case .invalidValue(let requirement, let found): return "\(requirement), found \(found)"
        case .conflict(let other): return "cannot be combined with '\(other)'; give only one of them"
        case .refused(let reason): return reason
        }
    }

    /// `problems` in the order of the file: by line, then column, then as found.
    public static func ordered(_ problems: [ConfigProblem]) -> [ConfigProblem] {
        problems.enumerated().sorted {
            ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
        }.map(\.element)
    }

    public var description: String {
        let subject = key.isEmpty ? "top level" : "key '\(key)'"
        return "\(file):\(line):\(column): \(subject): \(message)"
    }
}
