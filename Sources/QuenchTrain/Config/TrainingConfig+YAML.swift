import Yams

extension TrainingConfig {
    /// The configuration as a YAML document that `load(yaml:file:)` reads back to an equal value.
    ///
    /// Every setting is written out, defaults included, so the document means the same to whichever
    /// Quench reads it; a disabled gradient clip is an explicit `null` (leaving the key out would
    /// restore the default clip of 1.0).
    public func yamlDocument() throws -> String {
        try Yams.serialize(node: yamlNode())
    }

    private func yamlNode() -> Node {
        var pairs: [(String, Node)] = []
        if let model { pairs.append(("model", Self.text(model))) }
        pairs.append(("output", Self.text(output)))
        pairs.append(("method", Node(method.rawValue)))
        pairs.append(("lora", Self.mapping(loraPairs)))
        pairs.append(("data", Self.mapping(dataPairs)))
        pairs.append(("optimizer", Self.mapping([
            ("learning_rate", Self.number(optimizer.learningRate)),
            ("betas", Node(optimizer.betas.map(Self.number))),
            ("epsilon", Self.number(optimizer.epsilon)),
            ("weight_decay", Self.number(optimizer.weightDecay)),
            ("exempt_norms_and_biases", Node(optimizer.exemptNormsAndBiases ? "true" : "false")),
        ])))
        pairs.append(("schedule", Self.mapping([
            ("kind", Node(schedule.kind.rawValue)),
            ("warmup_steps", Node(String(schedule.warmupSteps))),
            ("min_lr_ratio", Self.number(schedule.minimumLearningRateRatio)),
        ])))
        pairs.append(("batch_size", Node(String(batchSize))))
        pairs.append(("gradient_accumulation", Node(String(gradientAccumulation))))
        if let maxSteps { pairs.append(("max_steps", Node(String(maxSteps)))) }
        if let epochs, maxSteps == nil { pairs.append(("epochs", Node(String(epochs)))) }
        pairs.append(("clip_gradient_norm", clipGradientNorm.map(Self.number) ?? Node("null", Tag(.null))))
        pairs.append(("seed", Node(String(seed))))
        pairs.append(("checkpoint_every", Node(String(checkpointEvery))))
        pairs.append(("evaluate_every", Node(String(evaluateEvery))))
        pairs.append(("log_every", Node(String(logEvery))))
        return Self.mapping(pairs)
    }

    private var loraPairs: [(String, Node)] {
        var pairs: [(String, Node)] = [
            ("rank", Node(String(lora.rank))), ("alpha", Self.number(lora.alpha)), ("dropout", Self.number(lora.dropout)),
        ]
        if let targets = lora.targets { pairs.append(("targets", Node(targets.map(Self.text)))) }
        return pairs
    }

    private var dataPairs: [(String, Node)] {
        var pairs: [(String, Node)] = [("train", Self.text(data.train))]
        if let validation = data.validation { pairs.append(("validation", Self.text(validation))) }
        if let split = data.validationSplit { pairs.append(("validation_split", Self.number(split))) }
        if let format = data.format { pairs.append(("format", Node(format.rawValue))) }
        pairs.append(("max_sequence_length", Node(String(data.maxSequenceLength))))
        pairs.append(("sequences", Node(data.sequences.rawValue)))
        return pairs
    }

    private static func mapping(_ pairs: [(String, Node)]) -> Node {
        Node(pairs.map { (Node($0.0), $0.1) })
    }

    /// A quoted string, so a path such as `null` or `1e3` stays text.
    private static func text(_ value: String) -> Node {
        Node(value, Tag(.str), .doubleQuoted)
    }

    /// Swift's shortest text that reads back to the same Double.
    private static func number(_ value: Double) -> Node {
        Node("\(value)", Tag(.float))
    }
}
