/// Why a configuration file could not be read: it could not be read, it is not YAML, or it breaks
/// its schema (every problem at once, each with its line, column and key).
public enum ConfigFileError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read (missing, a FIFO, too large, not UTF-8 text...).
    case unreadable(file: String, reason: String)
    /// The text is not YAML; the parser stopped at `line`:`column` (1-based).
    case malformedYAML(file: String, line: Int, column: Int, reason: String)
    /// The YAML parsed but breaks the schema: each problem names its place and key.
    case invalid(file: String, problems: [ConfigProblem])

    /// The file the error is about.
    public var file: String {
        switch self {
        case .unreadable(let file, _), .malformedYAML(let file, _, _, _), .invalid(let file, _):
            return file
        }
    }

    /// The problems of an `invalid` file; empty for the other cases.
    public var problems: [ConfigProblem] {
        if case .invalid(_, let problems) = self { return problems }
        return []
    }

    public var description: String { description(of: "configuration") }

    /// The message for a file holding a `kind` ("training configuration", "job spec"...), one problem a line.
    public func description(of kind: String) -> String {
        switch self {
        case .unreadable(let file, let reason):
            return "cannot read \(kind) \(file): \(reason)"
        case .malformedYAML(let file, let line, let column, let reason):
            return "\(file):\(line):\(column): not valid YAML: \(reason)"
        case .invalid(let file, let problems):
            let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
            return "\(file): \(count) in the \(kind):\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        }
    }
}
