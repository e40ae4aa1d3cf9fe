import QuenchTrain
import QuenchConfig

/// Errors in a job spec; `invalid` lists every problem (file, line, key) found in one pass.
public enum JobSpecError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(file: String, reason: String)
    /// The text is not YAML; `reason` is the parser's message with its line and column.
    case malformedYAML(file: String, reason: String)
    /// The YAML parsed but breaks the schema, names missing files or holds impossible values.
    case invalid(file: String, problems: [ConfigProblem])

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read job spec \(file): \(reason)"
        case .malformedYAML(let file, let reason):
            return "\(file): not valid YAML: \(reason)"
        case .invalid(let file, let problems):
            let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
            return "\(file): \(count) in the job spec:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
