import QuenchConfig

extension TrainingConfig {
    /// The configuration as a YAML document that `load(yaml:file:)` reads back to an equal value.
    ///
    /// Every setting is written out, defaults included, so the document means the same to whichever
    /// Quench reads it; a disabled gradient clip is an explicit `null` (leaving the key out would
    /// restore the default clip of 1.0). `lora.use_rslora` and `lora.use_dora` are written only when true,
    /// `lora.rank_pattern` and `lora.alpha_pattern` only when not empty: a Quench from before the keys
    /// refuses them then, and reads the document unchanged otherwise.
    public func yamlDocument() throws -> String {
        do {
            return try ConfigDocument.text(of: yamlNode())
        } catch {
            throw TrainingConfigError.unwritable(reason: "\(error)")
        }
    }

    private func yamlNode() -> ConfigNode {
        var pairs: [(String, ConfigNode)] = []
        if let model { pairs.append(("model", ConfigNode.quotedText(model))) }
        pairs.append(("output", ConfigNode.quotedText(output)))
        pairs.append(("method", ConfigNode.word(method.rawValue)))
        pairs.append(("lora", ConfigNode.pairs(loraPairs)))
        pairs.append(("data", ConfigNode.pairs(dataPairs)))
        pairs.append(("optimizer", ConfigNode.pairs([
            ("learning_rate", ConfigNode.number(optimizer.learningRate)),
            ("betas", ConfigNode.items(optimizer.betas.map(ConfigNode.number))),
            ("epsilon", ConfigNode.number(optimizer.epsilon)),
            ("weight_decay", ConfigNode.number(optimizer.weightDecay)),
            ("exempt_norms_and_biases", ConfigNode.boolean(optimizer.exemptNormsAndBiases)),
        ])))
        pairs.append(("schedule", ConfigNode.pairs([
            ("kind", ConfigNode.word(schedule.kind.rawValue)),
            ("warmup_steps", ConfigNode.integer(schedule.warmupSteps)),
            ("min_lr_ratio", ConfigNode.number(schedule.minimumLearningRateRatio)),
        ])))
        pairs.append(("batch_size", ConfigNode.integer(batchSize)))
        pairs.append(("gradient_accumulation", ConfigNode.integer(gradientAccumulation)))
        if let maxSteps { pairs.append(("max_steps", ConfigNode.integer(maxSteps))) }
        if let epochs, maxSteps == nil { pairs.append(("epochs", ConfigNode.integer(epochs))) }
        pairs.append(("clip_gradient_norm", clipGradientNorm.map(ConfigNode.number) ?? ConfigNode.nullValue))
        pairs.append(("seed", ConfigNode.integer(seed)))
        pairs.append(("checkpoint_every", ConfigNode.integer(checkpointEvery)))
        pairs.append(("evaluate_every", ConfigNode.integer(evaluateEvery)))
        pairs.append(("log_every", ConfigNode.integer(logEvery)))
        pairs.append(("precision", ConfigNode.word(precision.rawValue)))
        return ConfigNode.pairs(pairs)
    }

    private var loraPairs: [(String, ConfigNode)] {
        var pairs: [(String, ConfigNode)] = [
            ("rank", ConfigNode.integer(lora.rank)), ("alpha", ConfigNode.number(lora.alpha)),
            ("dropout", ConfigNode.number(lora.dropout)),
        ]
        if lora.useRSLoRA { pairs.append(("use_rslora", ConfigNode.boolean(true))) }
        if lora.useDoRA { pairs.append(("use_dora", ConfigNode.boolean(true))) }
        if !lora.rankPattern.isEmpty {
            pairs.append(("rank_pattern", ConfigNode.pairs(lora.rankPattern.sorted { $0.key < $1.key }
                .map { ($0.key, ConfigNode.integer($0.value)) })))
        }
        if !lora.alphaPattern.isEmpty {
            pairs.append(("alpha_pattern", ConfigNode.pairs(lora.alphaPattern.sorted { $0.key < $1.key }
                .map { ($0.key, ConfigNode.number($0.value)) })))
        }
        if let targets = lora.targets { pairs.append(("targets", ConfigNode.items(targets.map(ConfigNode.quotedText)))) }
        if let layers = lora.layers { pairs.append(("layers", ConfigNode.integer(layers))) }
        return pairs
    }

    private var dataPairs: [(String, ConfigNode)] {
        var pairs: [(String, ConfigNode)] = [("train", ConfigNode.quotedText(data.train))]
        if let validation = data.validation { pairs.append(("validation", ConfigNode.quotedText(validation))) }
        if let split = data.validationSplit { pairs.append(("validation_split", ConfigNode.number(split))) }
        if let format = data.format { pairs.append(("format", ConfigNode.word(format.rawValue))) }
        pairs.append(("max_sequence_length", ConfigNode.integer(data.maxSequenceLength)))
        pairs.append(("sequences", ConfigNode.word(data.sequences.rawValue)))
        return pairs
    }
}
