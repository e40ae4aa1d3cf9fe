extension ChatTemplate {
    /// Identifies a model's Jinja chat template (tokenizer_config.json `chat_template`, GGUF
    /// `tokenizer.chat_template`) as one of the known formats, reading ChatML's default system
    /// message out of the template text.
    /// - Throws: `TokenizerError.unknownChatTemplate` naming the known formats. Templates that
    ///   render differently from these formats for plain messages (reasoning `<think>` blocks, Llama
    ///   3.1's dated system message) are rejected rather than rendered wrongly.
    public static func recognise(_ templateText: String) throws -> ChatTemplate {
        let text = templateText
        if text.contains("<|im_start|>"), text.contains("<|im_end|>"), !text.contains("<think>") {
            return .chatML(defaultSystemMessage: defaultChatMLSystemMessage(in: text))
        }
        if text.contains("<|start_header_id|>"), text.contains("<|end_header_id|>"), text.contains("<|eot_id|>"),
           !text.contains("Cutting Knowledge Date") {
            return .llama3
        }
        throw TokenizerError.unknownChatTemplate(excerpt: String(text.prefix(80)), known: knownNames)
    }

    /// The first literal system message written as `<|im_start|>system` + newline + text + `<|im_end|>`
    /// in the template (the newline either real or the escape `\n`); parts built from variables,
    /// such as `' + messages[0]['content'] + '`, are not literals and are passed over.
    static func defaultChatMLSystemMessage(in template: String) -> String? {
        let opening = "<|im_start|>system"
        var rest = template[...]
        while let start = rest.range(of: opening) {
            rest = rest[start.upperBound...]
            var body = rest
            if body.hasPrefix("\n") {
                body = body.dropFirst()
            } else if body.hasPrefix("\\n") {
                body = body.dropFirst(2)
            } else {
                continue
            }
            guard let end = body.range(of: "<|im_end|>") else { continue }
            let message = body[..<end.lowerBound]
            if !message.isEmpty, !message.contains(where: { "'\"{}+\n".contains($0) }) {
                return String(message)
            }
        }
        return nil
    }
}
