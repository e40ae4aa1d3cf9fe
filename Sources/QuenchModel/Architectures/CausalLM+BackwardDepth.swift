import QuenchTensor

/// How deep the backward pass must go: no further down than the lowest layer holding something that
/// needs a gradient.
extension CausalLM {
    /// The lowest layer whose backward pass is needed for `gradients` and the attached adapters.
    ///
    /// Below the lowest adapter and the lowest trainable layer parameter, the backward pass would
    /// only carry ∂L/∂(residual stream) down to an embedding that takes no gradient, so it stops
    /// there: LoRA on the top N of L layers with a frozen base costs N layers of backward, not L.
    /// 0 when a parameter read before the first layer (the embedding, GPT-2's positions) trains, as
    /// in full fine-tuning; `config.layers` (no layer at all) when only the final norm and the head
    /// train, or nothing does.
    func lowestLayerNeedingGradients(_ gradients: ParameterGradients) -> Int {
        var lowest = adapters?.targets.map(\.layer).min() ?? config.layers
        // The table lists parameters in the order the forward pass reads them: those before the
        // first layer's feed the residual stream below every layer.
        var beforeLayers = true
        for spec in specs {
            let layer = Self.layerIndex(of: spec.name)
            if layer != nil { beforeLayers = false }
            guard gradients[spec.name] != nil else { continue }
            if let layer { lowest = min(lowest, layer) } else if beforeLayers { return 0 }
        }
        return lowest
    }

    /// l for a parameter named `layers.{l}.…`, nil for the others.
    static func layerIndex(of name: String) -> Int? {
        let parts = name.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, parts[0] == "layers" else { return nil }
        return Int(parts[1])
    }
}
