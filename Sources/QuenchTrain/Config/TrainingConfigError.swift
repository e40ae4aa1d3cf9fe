import QuenchConfig
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
