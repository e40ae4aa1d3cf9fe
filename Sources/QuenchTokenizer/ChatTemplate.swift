/// The chat formats Quench renders, as a closed registry: a model's Jinja template is recognised
/// as one of these (`recognise`) and rendered by Swift code, not by a template engine.
public enum ChatTemplate: Sendable, Equatable, Hashable {
    /// ChatML (SmolLM2, Qwen 2.5): `<|im_start|>{role}\n{content}<|im_end|>\n` per message; when the
    /// conversation does not open with a system message, the default one (if any) is put first.
    case chatML(defaultSystemMessage: String?)
    /// Llama 3: `<|begin_of_text|>` then `<|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>`
    /// per message, with the content trimmed of surrounding whitespace (Jinja's `| trim`).
    case llama3

    /// SmolLM2-Instruct's template.
    public static let smolLM2 = ChatTemplate.chatML(
        defaultSystemMessage: "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
    /// Qwen 2.5-Instruct's template (without tool calls).
    public static let qwen25 = ChatTemplate.chatML(
        defaultSystemMessage: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")

    /// The names `recognise` knows, for error messages.
    public static let knownNames = ["chatML", "llama3"]

    /// The system message inserted when a conversation has none.
    public var defaultSystemMessage: String? {
        switch self {
        case .chatML(let message): return message
        case .llama3: return nil
        }
    }

    /// The token that ends each turn, where generation should stop.
    public var endOfTurnToken: String {
        switch self {
        case .chatML: return "<|im_end|>"
        case .llama3: return "<|eot_id|>"
        }
    }

    /// The prompt text for `messages`, ending with the assistant header when `addGenerationPrompt` is set.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> String {
        build(messages, addGenerationPrompt: addGenerationPrompt).text
    }

    /// The prompt text for a whole conversation (no generation prompt) with the spans of its
    /// assistant turns: each span covers the turn's content and its end-of-turn token, which is
    /// what the model must learn to produce.
    public func renderWithAssistantSpans(_ messages: [ChatMessage]) -> RenderedChat {
        let builder = build(messages, addGenerationPrompt: false)
        return RenderedChat(text: builder.text, assistantUTF8Ranges: builder.assistantSpans)
    }

    private func build(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> ChatTextBuilder {
        var builder = ChatTextBuilder()
        switch self {
        case .chatML(let defaultSystemMessage):
            for (index, message) in messages.enumerated() {
                if index == 0, message.role != "system", let defaultSystemMessage {
                    builder.append("<|im_start|>system\n" + defaultSystemMessage + "<|im_end|>\n")
                }
                builder.append("<|im_start|>" + message.role + "\n")
                append(message, body: message.content + "<|im_end|>", to: &builder)
                builder.append("\n")
            }
            if addGenerationPrompt { builder.append("<|im_start|>assistant\n") }
        case .llama3:
            for (index, message) in messages.enumerated() {
                if index == 0 { builder.append("<|begin_of_text|>") }
                builder.append("<|start_header_id|>" + message.role + "<|end_header_id|>\n\n")
                append(message, body: Self.trimmed(message.content) + "<|eot_id|>", to: &builder)
            }
            if addGenerationPrompt { builder.append("<|start_header_id|>assistant<|end_header_id|>\n\n") }
        }
        return builder
    }

    private func append(_ message: ChatMessage, body: String, to builder: inout ChatTextBuilder) {
        if message.role == "assistant" {
            builder.appendAssistant(body)
        } else {
            builder.append(body)
        }
    }

    /// Jinja's `trim` (Python's `str.strip()`): Unicode whitespace plus the separators U+001C...U+001F.
    static func trimmed(_ text: String) -> String {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar.properties.isWhitespace || (0x1C...0x1F).contains(scalar.value)
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
