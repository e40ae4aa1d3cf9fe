/// One turn of a conversation, as chat templates and chat datasets spell it.
public struct ChatMessage: Codable, Sendable, Equatable, Hashable {
    /// "system", "user" or "assistant" (templates copy any other role through unchanged).
    public var role: String
    /// The turn's text.
    public var content: String

    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A rendered conversation and where its assistant turns lie, so training can put the loss on
/// the assistant's tokens only.
public struct RenderedChat: Sendable, Equatable {
    /// The prompt text, special tokens written out (encode it with a tokenizer that matches them).
    public let text: String
    /// Byte ranges of `text.utf8` holding each assistant turn's content and its end-of-turn token.
    public let assistantUTF8Ranges: [Range<Int>]

    /// The same spans as indices into `text`.
    public var assistantRanges: [Range<String.Index>] {
        let utf8 = text.utf8
        return assistantUTF8Ranges.map { range in
            let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
            return lower..<utf8.index(lower, offsetBy: range.count)
        }
    }
}

/// Accumulates rendered text, recording the UTF-8 span of each assistant part.
struct ChatTextBuilder {
    private(set) var text = ""
    private(set) var assistantSpans: [Range<Int>] = []
    private var utf8Count = 0

    mutating func append(_ part: String) {
        text += part
        utf8Count += part.utf8.count
    }

    mutating func appendAssistant(_ part: String) {
        let start = utf8Count
        append(part)
        assistantSpans.append(start..<utf8Count)
    }
}
