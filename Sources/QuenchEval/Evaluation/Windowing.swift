/// How a token stream is cut into model windows and which targets each window scores. Named in
/// every report, because the same model and text give different perplexities under each.
public enum Windowing: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// lm-evaluation-harness rolling windows: every token after the first is scored exactly once,
    /// `context` targets per window; the last window is right-aligned so it keeps a full context.
    case disjoint
    /// llama.cpp's `llama-perplexity`: chunks of `context` tokens, only the second half of each
    /// scored, the first token of every chunk replaced by BOS when the model adds one.
    case llamaCpp
    /// Sliding windows that score each token once with at least `context − K` tokens of history.
    case stride(Int)

    /// Reads `disjoint`, `llama-cpp` or `stride=K`.
    /// - Throws: `EvalError.unknownWindowing` for anything else.
    public init(name: String) throws {
        switch name {
        case "disjoint": self = .disjoint
        case "llama-cpp": self = .llamaCpp
        default:
            guard name.hasPrefix("stride="), let k = Int(name.dropFirst("stride=".count)), k > 0 else {
                throw EvalError.unknownWindowing(name: name)
            }
            self = .stride(k)
        }
    }

    /// The name `init(name:)` reads.
    public var description: String {
        switch self {
        case .disjoint: return "disjoint"
        case .llamaCpp: return "llama-cpp"
        case .stride(let k): return "stride=\(k)"
        }
    }

    /// Checks the windowing against a context length.
    /// - Throws: `EvalError.invalidSetting` for a context below 2 or a stride outside 1...context.
    public func validate(context: Int) throws {
        guard context >= 2 else {
            throw EvalError.invalidSetting(key: "context", reason: "\(context) tokens; a window needs at least 2")
        }
        if case .stride(let k) = self, !(1...context).contains(k) {
            throw EvalError.invalidSetting(key: "windowing", reason: "stride=\(k) must be between 1 and the context (\(context))")
        }
    }
}
