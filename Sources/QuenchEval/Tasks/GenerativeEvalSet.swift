import Foundation
import QuenchTokenizer

/// A generative set ready to run: each example's prompt as token ids, its reference and the metrics
/// prepared for that reference, and the tokens that end an answer.
public struct GenerativeEvalSet: Sendable {
    /// One record, prepared.
    public struct Example: Sendable {
        /// The record's line in the file (1-based).
        public let line: Int
        /// The prompt as people read it (the last user turn, or the prompt text).
        public let shownPrompt: String
        /// The tokens the model continues: the chat template's rendering up to the assistant header,
        /// or the prompt text.
        public let promptIDs: [Int32]
        public let reference: String
        /// One per metric, in the settings' order.
        public let scorers: [TaskScorer]
    }

    public let name: String
    public let file: URL
    public let settings: GenerationSettings
    public let examples: [Example]
    /// EOS and, for chat records, the chat template's end-of-turn token.
    public let stopTokens: Set<Int32>
    /// The tokenizer the prompts were encoded with, which decodes the answers.
    public let tokenizer: BPETokenizer
}
