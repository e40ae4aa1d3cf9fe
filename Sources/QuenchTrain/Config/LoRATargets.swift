import QuenchModel

extension TrainingConfig.LoRASettings {
    /// The linear layers LoRA can adapt in a family, by Quench parameter name (`layers.N.<name>` in
    /// `ParameterTable`): the adapters' own closed list, so a typo is an error, not a no-op.
    public static func knownTargets(_ architecture: ModelConfig.Architecture) -> [String] {
        LoRAAdapters.knownModules(architecture)
    }

    /// Every name of `knownTargets`, of any family, in first-seen order.
    static var anyFamilyTargets: [String] {
        var seen: [String] = []
        for architecture in ModelConfig.Architecture.allCases {
            for name in knownTargets(architecture) where !seen.contains(name) { seen.append(name) }
        }
        return seen
    }

    /// "llama: q, k, ...; gpt2: qkv, ..." for error messages.
    static var knownTargetsDescription: String {
        ModelConfig.Architecture.allCases
            .map { "\($0.rawValue): \(knownTargets($0).joined(separator: ", "))" }
            .joined(separator: "; ")
    }

    /// The layers to adapt in a model of `architecture`: `targets`, or every known layer when nil.
    ///
    /// Loading checks names against all families; this checks them against the model's own, which is
    /// only known once the model is open.
    public func targets(for architecture: ModelConfig.Architecture) throws -> [String] {
        let known = Self.knownTargets(architecture)
        guard let targets else { return known }
        for name in targets where !known.contains(name) {
            throw TrainingConfigError.unknownLoRATarget(name: name, architecture: architecture, known: known)
        }
        return targets
    }

    /// The decoder layers to adapt in `model`: the top `layers` (indices L − N ..< L), or nil (every
    /// layer) when `layers` is nil.
    ///
    /// Loading checks that `layers` is at least 1; its upper bound, the model's depth, is checked here,
    /// where training and its memory plan open the model.
    /// - Throws: `TrainingConfigError.loraLayersExceedModel` when N is more than the model's layers.
    public func adapterLayers(in model: CausalLM) throws -> [Int]? {
        guard let layers else { return nil }
        let depth = model.config.layers
        guard layers <= depth else {
            throw TrainingConfigError.loraLayersExceedModel(requested: layers, modelLayers: depth)
        }
        return Array((depth - layers)..<depth)
    }

    /// The per-module ranks and alphas, as the adapters take them.
    public var patterns: LoRAPatterns {
        LoRAPatterns(rank: rankPattern, alpha: alphaPattern.mapValues { Float($0) })
    }

    /// The projections these settings adapt in `model` (`targets` on `adapterLayers(in:)`), each with
    /// its rank and alpha.
    /// - Throws: `TrainingConfigError.loraPattern` for a `rank_pattern` or `alpha_pattern` key that
    ///   matches no adapted module (a typo PEFT would only warn about) or whose keys disagree on one.
    public func adapterTargets(in model: CausalLM) throws -> [LoRAAdapters.Target] {
        let patterns = self.patterns
        do {
            let targets = try LoRAAdapters.targets(model: model, modules: targets(for: model.config.architecture),
                                                   layers: adapterLayers(in: model), rank: rank, alpha: Float(alpha),
                                                   patterns: patterns)
            let modules = try targets.map { try LoRAAdapters.huggingFaceModule($0.parameter, model: model) }
            if let (pattern, key) = patterns.unmatchedKeys(among: modules).first {
                throw TrainingConfigError.loraPattern(
                    pattern: pattern, key: key,
                    reason: "matches none of the adapted modules (Hugging Face names such as \(modules.first ?? "q_proj"))")
            }
            return targets
        } catch let failure as LoRAPatterns.Failure {
            throw TrainingConfigError.loraPattern(pattern: failure.pattern, key: failure.key, reason: failure.reason)
        }
    }

    /// Fresh adapters with these settings on `model`, initialised from `seed`.
    /// - Throws: what `adapterTargets(in:)` throws, checked first.
    public func adapters(on model: CausalLM, seed: UInt64) throws -> LoRAAdapters {
        _ = try adapterTargets(in: model)
        return try LoRAAdapters(model: model, rank: rank, alpha: Float(alpha), useRSLoRA: useRSLoRA, useDoRA: useDoRA,
                                dropout: Float(dropout), modules: targets(for: model.config.architecture),
                                layers: adapterLayers(in: model), patterns: patterns, seed: seed)
    }
}
