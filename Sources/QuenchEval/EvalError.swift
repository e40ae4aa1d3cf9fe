import QuenchConfig

/// Everything that can go wrong evaluating a model or deciding a gate. Each case names the file,
/// key or setting involved and says what to do, so a user can act without reading the code.
public enum EvalError: Error, Equatable, CustomStringConvertible {
    /// A windowing name outside `disjoint`, `llama-cpp`, `stride=K`.
    case unknownWindowing(name: String)
    /// A setting (context, stride, batch) outside what the model or the windowing allows.
    case invalidSetting(key: String, reason: String)
    /// An evaluation file that cannot be read, or whose extension is neither `.txt` nor `.jsonl`.
    case unreadable(file: String, reason: String)
    /// An evaluation set that yields no scored token (empty file, too short for the windowing, or
    /// a mask that scores nothing).
    case emptySet(file: String, reason: String)
    /// The model has no tokenizer to turn the evaluation text into tokens.
    case noTokenizer(model: String)
    /// The tuned model does not share the base model's vocabulary, so their losses are not comparable.
    case vocabularyMismatch(base: Int, tuned: Int, tunedModel: String)
    /// The gate file is not YAML.
    case malformedGate(file: String, reason: String)
    /// The gate file breaks the schema; every problem names its line, column and key.
    case invalidGate(file: String, problems: [ConfigProblem])
    /// A report could not be written.
    case writeFailed(path: String, reason: String)
    /// A record of a generative set that cannot be answered or scored (no reference, an empty prompt,
    /// a reference longer than the generation budget, a pattern that does not compile).
    case invalidTaskRecord(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .unknownWindowing(let name):
            return "unknown windowing '\(name)'; use 'disjoint', 'llama-cpp' or 'stride=K' (K tokens, 1 ≤ K ≤ context)"
        case .invalidSetting(let key, let reason):
            return "\(key): \(reason)"
        case .unreadable(let file, let reason):
            return "cannot read evaluation file \(file): \(reason)"
        case .emptySet(let file, let reason):
            return "evaluation set \(file) scores no token: \(reason); give a longer set or a smaller context"
        case .noTokenizer(let model):
            return "\(model) carries no tokenizer; evaluate a model whose files include one (GGUF or tokenizer.json)"
        case .vocabularyMismatch(let base, let tuned, let model):
            return "the tuned model \(model) has \(tuned) tokens but the base has \(base); "
                + "evaluate a model tuned from this base"
        case .malformedGate(let file, let reason):
            return "\(file): not valid YAML: \(reason)"
        case .invalidGate(let file, let problems):
            let count = problems.count == 1 ? "1 problem" : "\(problems.count) problems"
            return "\(file): \(count) in the gate:\n" + problems.map { "  \($0)" }.joined(separator: "\n")
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .invalidTaskRecord(let file, let line, let reason):
            return "\(file):\(line): \(reason)"
        }
    }
}
