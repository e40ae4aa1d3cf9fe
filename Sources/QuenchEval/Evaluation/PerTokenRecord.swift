/// One line of `quench eval --per-token`: what one model computed at one position of one window.
/// At `position` the model reads `inputID` and predicts the next token of the document, `tokenID`;
/// `nll` is −log p(tokenID) in nats, computed whether or not the position is `scored` (counted in
/// the set's loss). So a window's `inputID`s are exactly what the model read (llama.cpp windows
/// start with BOS), and the NLLs of the scored lines sum to the set's `summed_nll`.
public struct PerTokenRecord: Codable, Sendable, Equatable {
    /// `base`, or `tuned` for the adapter or tuned model.
    public let model: String
    /// The evaluation set's name, as the report names it.
    public let set: String
    /// Index of the document (a JSONL record; a `.txt` set is document 0) in the set.
    public let document: Int
    /// Index of the window among the set's windows (the report's `windows` counts them).
    public let window: Int
    /// Position in the window, from 0.
    public let position: Int
    /// The token the model read at `position`.
    public let inputID: Int
    /// The document's next token, which the model predicts here; nil at the document's last token
    /// (only the last chunk of a `llama-cpp` windowing reads it as an input).
    public let tokenID: Int?
    /// `tokenID` as the vocabulary spells it (byte-level, e.g. "Ġthe"; transformers'
    /// `convert_ids_to_tokens`): maps back to exactly `tokenID`.
    public let token: String?
    /// The text `tokenID` stands for, decoded as UTF-8 (U+FFFD for bytes that are only part of a
    /// character; transformers' `decode([id])`).
    public let text: String?
    /// −log p(tokenID | the window up to `position`), in nats: the float32 value the evaluator summed,
    /// written exactly.
    public let nll: Double?
    /// Whether the set's loss counts this target (the windowing and the trainer's mask decide).
    public let scored: Bool

    enum CodingKeys: String, CodingKey {
        case model, set, document, window, position, token, text, nll, scored
        case inputID = "input_id", tokenID = "token_id"
    }

    /// A record; see the properties.
    public init(model: String, set: String, document: Int, window: Int, position: Int, inputID: Int, tokenID: Int?,
                token: String?, text: String?, nll: Double?, scored: Bool) {
        self.model = model
        self.set = set
        self.document = document
        self.window = window
        self.position = position
        self.inputID = inputID
        self.tokenID = tokenID
        self.token = token
        self.text = text
        self.nll = nll
        self.scored = scored
    }

    /// Writes every key, absent values as null, so each line has the same keys.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(set, forKey: .set)
        try container.encode(document, forKey: .document)
        try container.encode(window, forKey: .window)
        try container.encode(position, forKey: .position)
        try container.encode(inputID, forKey: .inputID)
        try container.encode(tokenID, forKey: .tokenID)
        try container.encode(token, forKey: .token)
        try container.encode(text, forKey: .text)
        try container.encode(nll, forKey: .nll)
        try container.encode(scored, forKey: .scored)
    }
}
