import QuenchTokenizer

/// Turns records into token ids and loss masks with a model's tokenizer and chat template.
public struct ExampleTokenizer: Sendable {
    /// The model's tokenizer.
    public let tokenizer: BPETokenizer
    /// The model's chat template; needed for the chat format only.
    public let chatTemplate: ChatTemplate?
    /// Whether text and prompt/completion examples start with BOS. Off by default: SmolLM2 and
    /// Qwen add none; Llama 3 wants it (its chat template writes `<|begin_of_text|>` itself).
    public let addBOS: Bool

    /// Id used for the input of padding positions (EOS, else 0); padding is never scored.
    public var padID: Int32 { Int32(truncatingIfNeeded: tokenizer.eosTokenID ?? 0) }

    /// - Throws: `DatasetError.invalidSetting` when `addBOS` is set but the tokenizer has no BOS, or
    ///   when the vocabulary does not fit 32-bit ids.
    public init(tokenizer: BPETokenizer, chatTemplate: ChatTemplate? = nil, addBOS: Bool = false) throws {
        guard tokenizer.vocabularySize <= Int(Int32.max) else {
            throw DatasetError.invalidSetting(key: "tokenizer",
                                              reason: "\(tokenizer.vocabularySize) tokens do not fit 32-bit ids")
        }
        if addBOS, tokenizer.bosTokenID == nil {
            throw DatasetError.invalidSetting(key: "add_bos", reason: "the tokenizer has no BOS token")
        }
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.addBOS = addBOS
    }

    /// Tokenizes a record and marks its training targets:
    /// - text: every token, plus EOS when the tokenizer has one;
    /// - prompt/completion: the completion and EOS only; the two are encoded separately and
    ///   concatenated so the boundary falls exactly between them;
    /// - chat: the tokens of the assistant turns (content and end-of-turn token), as the chat
    ///   template's assistant spans say.
    /// - Throws: `DatasetError.noChatTemplate` for a chat record without a template, or a
    ///   `TokenizerError` from encoding.
    public func tokenize(_ record: DatasetRecord) throws -> TokenizedExample {
        var ids: [Int32] = []
        var scored: [Bool] = []
        func append(_ tokens: [Int], scored flag: Bool) {
            ids.append(contentsOf: tokens.lazy.map { Int32(truncatingIfNeeded: $0) })
            scored.append(contentsOf: repeatElement(flag, count: tokens.count))
        }
        let eos = tokenizer.eosTokenID.map { [$0] } ?? []
        switch record {
        case .text(let text):
            if addBOS, let bos = tokenizer.bosTokenID { append([bos], scored: false) }
            append(try tokenizer.encode(text), scored: true)
            append(eos, scored: true)
        case .promptCompletion(let prompt, let completion):
            append(try tokenizer.encode(prompt, addBOS: addBOS), scored: false)
            append(try tokenizer.encode(completion), scored: true)
            append(eos, scored: true)
        case .chat(let messages):
            guard let chatTemplate else { throw DatasetError.noChatTemplate }
            let encoded = try tokenizer.encode(chatTemplate.renderWithAssistantSpans(messages))
            ids = encoded.ids.map { Int32(truncatingIfNeeded: $0) }
            scored = encoded.isAssistant
        }
        return TokenizedExample(ids: ids, scored: scored)
    }
}
