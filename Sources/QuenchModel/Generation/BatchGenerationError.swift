/// Why a batch of prompts cannot be generated, found before any work starts; `prompt` is the
/// prompt's index in the list given.
public enum BatchGenerationError: Error, Equatable, CustomStringConvertible {
    case emptyPrompt(prompt: Int)
    case tooLong(prompt: Int, promptTokens: Int, maxNewTokens: Int, positions: Int)
    case tokenOutOfRange(prompt: Int, token: Int32, vocabulary: Int)
    /// `name` (batch_size or max_new_tokens) is below 1.
    case notPositive(name: String, value: Int)

    public var description: String {
        switch self {
        case .emptyPrompt(let prompt):
            return "prompt \(prompt) has no tokens; generation needs at least one"
        case .tooLong(let prompt, let tokens, let maxNewTokens, let positions):
            return "prompt \(prompt): \(tokens) prompt tokens + \(maxNewTokens) new tokens exceed the model's "
                + "\(positions) positions; shorten the prompt or lower max_new_tokens"
        case .tokenOutOfRange(let prompt, let token, let vocabulary):
            return "prompt \(prompt) has token id \(token), outside the model's vocabulary of \(vocabulary)"
        case .notPositive(let name, let value):
            return "\(name) is \(value); it must be at least 1"
        }
    }
}
