import QuenchModel

/// Errors in a training configuration; `invalid` lists every problem found, not just the first.
public enum TrainingConfigError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The text is not YAML; `reason` is the parser's message with its line and column.
    case malformedYAML(file: String, reason: String)
    /// The YAML parsed but breaks the schema: each problem names its place and key.
    case invalid(file: String, problems: [ConfigProblem])
    /// A `lora.targets` entry that the model's architecture does not have.
    case unknownLoRATarget(name: String, architecture: ModelConfig.Architecture, known: [String])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read training configuration \(file): \(reason)"
        case .malformedYAML(let file, let reason):
            return "\(file): not valid YAML: \(reason)"
        case .invalid(let file, let problems):
            let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
            return "\(file): \(count) in the training configuration:\n"
                + problems.map { "  \($0)" }.joined(separator: "\n")
        case .unknownLoRATarget(let name, let architecture, let known):
            return "lora.targets: '\(name)' is not a layer of \(architecture.rawValue) models; "
                + "known: \(known.joined(separator: ", "))"
        }
    }
}

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
        }
    }

    public var description: String {
        let subject = key.isEmpty ? "top level" : "key '\(key)'"
        return "\(file):\(line):\(column): \(subject): \(message)"
    }
}
