/// How a card describes LoRA adapters: their settings as PEFT names them, and the weight they give a
/// projection, so a DoRA or pattern adapter is not described as plain LoRA.
extension ModelCard {
    /// `rank 8, alpha 16.0, dropout 0.05`, then `rsLoRA (use_rslora)`, `DoRA (use_dora)` and the
    /// patterns when the adapters have them.
    public static func loraSettings(_ adapters: LoRAAdapters) -> String {
        var parts = ["rank \(adapters.rank)", "alpha \(adapters.alpha)", "dropout \(adapters.dropout)"]
        if adapters.useRSLoRA { parts.append("rsLoRA (use_rslora)") }
        if adapters.useDoRA { parts.append("DoRA (use_dora)") }
        parts += adapters.patterns.listed.map { "\($0.pattern) {\($0.entries)}" }
        return parts.joined(separator: ", ")
    }

    /// The adapted weight W′ of each projection, with its scale s.
    public static func adaptedWeight(_ adapters: LoRAAdapters) -> String {
        let scale = adapters.useRSLoRA ? "s = alpha/√r" : "s = alpha/r"
        let own = adapters.patterns.isEmpty ? "" : ", r and alpha per projection as the patterns give them"
        guard adapters.useDoRA else { return "W′ = W + s·B·A (\(scale)\(own))" }
        return "W′ = m ⊙ (W + s·B·A) / ‖W + s·B·A‖, the norm taken per output row and m the trained magnitude "
            + "(lora_magnitude_vector) (\(scale)\(own))"
    }
}
