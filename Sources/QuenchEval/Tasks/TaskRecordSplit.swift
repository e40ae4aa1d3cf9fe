import QuenchData
import QuenchTokenizer

/// A record of a generative set cut into what the model is asked and what it should answer.
struct TaskRecordSplit {
    /// What the model continues.
    enum Prompt {
        /// Chat turns up to and including the last user turn, rendered with the chat template.
        case chat([ChatMessage])
        /// Prompt text, continued as is.
        case text(String)
    }

    let prompt: Prompt
    let reference: String
    /// The prompt as reports show it.
    let shownPrompt: String

    /// Splits `record`: a chat record's last turn must be a non-empty assistant turn (the reference)
    /// after a non-empty user turn; a prompt/completion record needs both non-empty.
    /// - Throws: what `fail` makes of the reason.
    init(_ record: DatasetRecord, fail: (String) -> Error) throws {
        switch record {
        case .text:
            throw fail("a text record has no reference; give chat or prompt_completion records")
        case .promptCompletion(let prompt, let completion):
            guard !prompt.allSatisfy(\.isWhitespace) else { throw fail("the prompt is empty") }
            guard !completion.allSatisfy(\.isWhitespace) else { throw fail("the record has no reference (the completion is empty)") }
            (self.prompt, reference, shownPrompt) = (.text(prompt), completion, prompt)
        case .chat(let messages):
            guard let last = messages.last, last.role == "assistant" else {
                throw fail("the record has no reference: its last turn must be the assistant's answer")
            }
            guard !last.content.allSatisfy(\.isWhitespace) else {
                throw fail("the record has no reference: the last assistant turn is empty")
            }
            let asked = messages.dropLast()
            guard let question = asked.last, question.role == "user" else {
                throw fail("the turn before the reference must be a user turn")
            }
            guard !question.content.allSatisfy(\.isWhitespace) else { throw fail("the prompt is empty (the last user turn has no text)") }
            (prompt, reference, shownPrompt) = (.chat(Array(asked)), last.content, question.content)
        }
    }
}
