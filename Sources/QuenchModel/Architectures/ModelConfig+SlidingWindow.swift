extension ModelConfig {
    /// transformers' `sliding_window` where a Mistral or Qwen2 config.json leaves the key out.
    static let transformersDefaultWindow = 4096
    /// transformers' `max_window_layers` where a Qwen2 config.json leaves the key out.
    static let transformersDefaultMaxWindowLayers = 28

    /// Refuses a config.json whose sliding attention window transformers applies and which would
    /// change attention: Quench computes full causal attention, so such a model would be silently wrong.
    ///
    /// MistralModel windows every layer with `sliding_window` (it ignores `layer_types`); Qwen2Config
    /// drops the window unless `use_sliding_window`, then windows the layers `layer_types` marks
    /// `sliding_attention`, or without it those from `max_window_layers` on.
    func refuseSlidingWindow(_ raw: HuggingFaceConfigFile, file: String) throws {
        let layerScope: String
        switch modelType {
        case "mistral":
            layerScope = "every layer"
        case "qwen2":
            guard raw.use_sliding_window == true else { return }
            let windowed: Int
            if let types = raw.layer_types {
                windowed = types.prefix(layers).filter { $0 == "sliding_attention" }.count
                layerScope = "the \(windowed) of \(layers) layers that layer_types marks sliding_attention"
            } else {
                let first = raw.max_window_layers ?? Self.transformersDefaultMaxWindowLayers
                windowed = layers - min(max(first, 0), layers)
                let origin = raw.max_window_layers == nil ? " (transformers' default)" : ""
                layerScope = "the \(windowed) of \(layers) layers from max_window_layers \(first)\(origin) on"
            }
            guard windowed > 0 else { return }
        default:
            return
        }
        let window: Int, origin: String
        switch raw.sliding_window {
        case .null: return
        case .value(let tokens): (window, origin) = (tokens, "")
        case .absent: (window, origin) = (Self.transformersDefaultWindow, "absent, so transformers uses its default: ")
        }
        try Self.refuseSlidingWindow(window, file: file, key: "sliding_window", layerScope: layerScope, origin: origin,
                                     positions: ("max_position_embeddings", maxPositions))
    }

    /// Throws when a `window`-token sliding window masks keys that full causal attention sees.
    ///
    /// transformers and llama.cpp let the query at position q attend to the keys at k ≤ q with
    /// q − k < window, so the window changes nothing while it holds every position of the model.
    static func refuseSlidingWindow(_ window: Int, file: String, key: String, layerScope: String?, origin: String,
                                    positions: (key: String, count: Int)) throws {
        guard window < positions.count else { return }
        guard window >= 1 else {
            throw ModelError.invalidValue(file: file, key: key, reason: "\(origin)\(window) is not a plausible window (at least 1 token)")
        }
        let scope = layerScope.map { " on \($0)" } ?? ""
        throw ModelError.invalidValue(
            file: file, key: key,
            reason: "\(origin)a \(window)-token sliding window\(scope) changes attention for sequences longer than "
                + "\(window) tokens (\(positions.key) is \(positions.count)); Quench computes full causal attention and "
                + "does not implement sliding windows yet (a window of at least \(positions.key) loads)")
    }
}
