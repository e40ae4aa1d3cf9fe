import Foundation

/// The special token ids an exported Hugging Face directory declares, in config.json,
/// generation_config.json and tokenizer_config.json.
struct ExportedTokenIDs: Equatable {
    let bos: Int?
    /// EOS first, then the chat template's end-of-turn token when it is another: what
    /// `quench generate` stops at, so transformers' `generate` stops there too.
    let eos: [Int]
    /// The source's padding token, else EOS (what transformers pads with when a model has none).
    let pad: Int?
    /// The source's unknown token.
    let unknown: Int?

    init(_ bundle: ModelBundle) {
        let config = bundle.model.config
        bos = bundle.tokenizer?.bosTokenID ?? config.bosTokenID
        let first = bundle.tokenizer?.eosTokenID ?? config.eosTokenID
        let ends = bundle.tokenizer?.answerEndIDs(chatTemplate: bundle.chatTemplate) ?? []
        eos = (first.map { [$0] } ?? []) + ends.filter { $0 != first }.sorted()
        pad = bundle.source.padTokenID ?? first
        unknown = bundle.source.unknownTokenID
    }

    /// generation_config.json as transformers writes it for these ids: `eos_token_id` a number, or
    /// a list when generation stops at several tokens.
    func generationConfigJSON() throws -> Data {
        var json: [String: Any] = [:]
        if let bos { json["bos_token_id"] = bos }
        if eos.count == 1 { json["eos_token_id"] = eos[0] } else if !eos.isEmpty { json["eos_token_id"] = eos }
        if let pad { json["pad_token_id"] = pad }
        return try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
    }
}
