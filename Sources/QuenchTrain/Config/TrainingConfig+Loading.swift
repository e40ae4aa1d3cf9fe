import Foundation
import QuenchConfig
import QuenchData
import QuenchModel
import QuenchTensor

extension TrainingConfig {
    /// Upper bounds of the counts, far above any CPU training yet low enough that no product of
    /// them overflows and nothing is sized from a typo.
    enum Limits {
        static let batchSize = 1 << 16
        static let gradientAccumulation = 1 << 16
        static let sequenceLength = 1 << 24
        /// Tokens in one batch (batch_size × max_sequence_length).
        static let batchTokens = 1 << 31
        static let steps = 1 << 40
        static let epochs = 1 << 20
        static let loraRank = 1 << 16
    }

    /// Known keys of every section, by path, taken from the Codable keys so the two cannot drift apart.
    static let schema: [String: [String]] = [
        "": CodingKeys.allCases.map(\.rawValue),
        "lora": LoRASettings.CodingKeys.allCases.map(\.rawValue),
        "data": DataSettings.CodingKeys.allCases.map(\.rawValue),
        "optimizer": OptimizerSettings.CodingKeys.allCases.map(\.rawValue),
        "schedule": ScheduleSettings.CodingKeys.allCases.map(\.rawValue),
    ]

    /// Reads and validates the YAML file at `url`; see `load(yaml:file:)`.
    public static func load(contentsOf url: URL) throws -> TrainingConfig {
        do throws(ConfigFileError) {
            return try load(ConfigDocument(contentsOf: url.path))
        } catch {
            throw TrainingConfigError.file(error)
        }
    }

    /// Parses and validates `yaml`; `file` names it in messages.
    ///
    /// Every problem is collected (unknown keys with a suggestion, wrong types, missing `data.train`,
    /// impossible values, conflicting keys) and thrown together as `ConfigFileError.invalid`.
    public static func load(yaml: String, file: String) throws -> TrainingConfig {
        do throws(ConfigFileError) {
            return try load(ConfigDocument(yaml: yaml, file: file))
        } catch {
            throw TrainingConfigError.file(error)
        }
    }

    /// Validates an already parsed mapping, such as the `training` section of a job spec.
    ///
    /// `keyPrefix` ("training") prefixes every key in messages; nil `node` reads as an empty mapping.
    /// With `data`, the caller describes the data itself (a job spec's own `data` section): the
    /// mapping's `data` key is not read, and the batch limits are checked against `data`.
    public static func load(node: ConfigNode?, file: String, keyPrefix: String = "",
                            data: DataSettings? = nil) throws -> TrainingConfig {
        var reader = ConfigReader(file: file, prefix: keyPrefix, schema: schema)
        let config = read(&reader, root: node, data: data)
        do throws(ConfigFileError) {
            try reader.finish()
        } catch {
            throw TrainingConfigError.file(error)
        }
        return config
    }

    private static func load(_ document: ConfigDocument) throws(ConfigFileError) -> TrainingConfig {
        try document.read(schema: schema) { reader, root in read(&reader, root: root) }
    }

    private static func read(_ r: inout ConfigReader, root node: ConfigNode?, data: DataSettings? = nil) -> TrainingConfig {
        typealias R = ConfigReader
        let root = r.root(node)
        let defaults = TrainingConfig(data: DataSettings(train: ""))
        var config = TrainingConfig(data: data ?? readData(&r, in: root))
        config.model = r.optional("model", in: root, absent: nil, expected: "a path", requirement: .nonEmpty, R.text)
        config.output = r.value("output", in: root, default: defaults.output, expected: "a path",
                                requirement: .nonEmpty, R.text)
        config.method = r.value("method", in: root, default: defaults.method, expected: R.choices(Method.self),
                                Method.init(rawValue:))
        config.lora = readLoRA(&r, in: root)
        config.optimizer = readOptimizer(&r, in: root)
        config.schedule = readSchedule(&r, in: root)
        func count(_ key: String, _ fallback: Int, atLeast minimum: Int = 1, atMost maximum: Int = .max) -> Int {
            r.value(key, in: root, default: fallback, expected: "an integer",
                    requirement: maximum == .max ? .atLeast(minimum) : .within(minimum...maximum), R.integer)
        }
        config.batchSize = count("batch_size", defaults.batchSize, atMost: Limits.batchSize)
        config.gradientAccumulation = count("gradient_accumulation", defaults.gradientAccumulation,
                                            atMost: Limits.gradientAccumulation)
        if config.batchSize * config.data.maxSequenceLength > Limits.batchTokens {
            r.report(.invalidValue(requirement: "batch_size × data.max_sequence_length must not exceed \(Limits.batchTokens) tokens",
                                   found: "\(config.batchSize) × \(config.data.maxSequenceLength)"),
                     key: "batch_size", at: r.places["batch_size"] ?? root.place)
        }
        config.seed = count("seed", defaults.seed, atLeast: 0)
        config.checkpointEvery = count("checkpoint_every", defaults.checkpointEvery)
        config.evaluateEvery = count("evaluate_every", defaults.evaluateEvery)
        config.logEvery = count("log_every", defaults.logEvery)
        config.precision = r.value("precision", in: root, default: defaults.precision,
                                   expected: R.choices(Precision.self), Precision.init(rawValue:))
        config.clipGradientNorm = r.optional("clip_gradient_norm", in: root, absent: defaults.clipGradientNorm,
                                             expected: "a number or null", requirement: .positive, R.number)

        let maxSteps = r.optional("max_steps", in: root, absent: nil, expected: "an integer",
                                  requirement: .within(1...Limits.steps), R.integer)
        let epochs = r.optional("epochs", in: root, absent: nil, expected: "an integer",
                                requirement: .within(1...Limits.epochs), R.integer)
        if r.isGiven("max_steps", in: root), r.isGiven("epochs", in: root) {
            r.report(.conflict(with: "max_steps"), key: "epochs", at: r.places["epochs"] ?? root.place)
        }
        config.maxSteps = maxSteps
        config.epochs = r.isGiven("max_steps", in: root) ? nil : (epochs ?? 1)
        if let maxSteps, config.schedule.warmupSteps > maxSteps {
            r.report(.invalidValue(requirement: "must not exceed max_steps (\(maxSteps))",
                                   found: "\(config.schedule.warmupSteps)"),
                     key: "schedule.warmup_steps", at: r.places["schedule.warmup_steps"] ?? root.place)
        }
        return config
    }

    private static func readData(_ r: inout ConfigReader, in root: ConfigReader.Section) -> DataSettings {
        typealias R = ConfigReader
        let s = r.section("data", in: root)
        let defaults = DataSettings(train: "")
        let absent = s.mapping == nil ? !r.isGiven("data", in: root) : !r.isPresent("train", in: s)
        if root.mapping != nil, absent {
            r.report(.missing, key: "data.train", at: s.place)
        }
        var data = DataSettings(train: r.value("train", in: s, default: "", expected: "a path",
                                               requirement: .nonEmpty, R.text))
        data.validation = r.optional("validation", in: s, absent: nil, expected: "a path",
                                     requirement: .nonEmpty, R.text)
        data.validationSplit = r.optional("validation_split", in: s, absent: nil, expected: "a number",
                                          requirement: .unitHalfOpen, R.number)
        if r.isGiven("validation", in: s), r.isGiven("validation_split", in: s) {
            r.report(.conflict(with: "data.validation"), key: "data.validation_split",
                     at: r.places["data.validation_split"] ?? s.place)
        }
        data.format = r.optional("format", in: s, absent: nil, expected: R.choices(DatasetFormat.self),
                                 DatasetFormat.init(rawValue:))
        data.maxSequenceLength = r.value("max_sequence_length", in: s, default: defaults.maxSequenceLength,
                                         expected: "an integer", requirement: .within(2...Limits.sequenceLength),
                                         R.integer)
        data.sequences = r.value("sequences", in: s, default: defaults.sequences,
                                 expected: R.choices(SequencePolicy.self),
                                 SequencePolicy.init(rawValue:))
        return data
    }

    private static func readLoRA(_ r: inout ConfigReader, in root: ConfigReader.Section) -> LoRASettings {
        typealias R = ConfigReader
        let s = r.section("lora", in: root)
        let defaults = LoRASettings()
        var lora = LoRASettings()
        lora.rank = r.value("rank", in: s, default: defaults.rank, expected: "an integer",
                            requirement: .within(1...Limits.loraRank), R.integer)
        lora.alpha = r.value("alpha", in: s, default: defaults.alpha, expected: "a number",
                             requirement: .positive, R.number)
        lora.dropout = r.value("dropout", in: s, default: defaults.dropout, expected: "a number",
                               requirement: .unitHalfOpen, R.number)
        lora.useRSLoRA = r.value("use_rslora", in: s, default: defaults.useRSLoRA, expected: "true or false",
                                 R.boolean)
        lora.useDoRA = r.value("use_dora", in: s, default: defaults.useDoRA, expected: "true or false", R.boolean)
        if lora.useDoRA, lora.dropout > 0 {
            r.report(.invalidValue(requirement: "must be 0 with lora.use_dora: true (DoRA with adapter dropout is not implemented)",
                                   found: "\(lora.dropout)"),
                     key: "lora.dropout", at: r.places["lora.dropout"] ?? s.place)
        }
        lora.rankPattern = readPattern(&r, "rank_pattern", in: s, of: "ranks", requirement: .within(1...Limits.loraRank),
                                       R.integer)
        lora.alphaPattern = readPattern(&r, "alpha_pattern", in: s, of: "numbers", requirement: .positive, R.number)
        // Its upper bound is the model's depth, checked once the model is open (`adapterLayers(in:)`).
        lora.layers = r.optional("layers", in: s, absent: nil, expected: "an integer", requirement: .atLeast(1), R.integer)
        guard let list = r.list("targets", in: s, expected: "a list of layer names") else { return lora }
        let (items, place) = (list.items, list.place)
        let known = LoRASettings.anyFamilyTargets
        let isKnown = Requirement<String>(
            text: "must be a layer LoRA can adapt (\(LoRASettings.knownTargetsDescription))",
            isMet: { known.contains($0) })
        var targets: [String] = []
        for item in items {
            let entry = ConfigReader.Entry(node: item, place: ConfigPlace(item, orElse: place))
            guard let name = r.parse(entry, key: "lora.targets", expected: "a layer name", requirement: isKnown,
                                     R.text) else { continue }
            if targets.contains(name) {
                r.report(.invalidValue(requirement: "must not repeat a layer", found: "'\(name)' twice"),
                         key: "lora.targets", at: entry.place)
            }
            targets.append(name)
        }
        if items.isEmpty {
            r.report(.invalidValue(requirement: "must name at least one layer", found: "an empty list"),
                     key: "lora.targets", at: place)
        }
        lora.targets = targets
        return lora
    }

    /// `lora.rank_pattern` or `lora.alpha_pattern`: module names (see `LoRAPatterns`) to values.
    private static func readPattern<Value>(_ r: inout ConfigReader, _ key: String, in s: ConfigReader.Section,
                                           of values: String, requirement: Requirement<Value>,
                                           _ convert: (String) -> Value?) -> [String: Value] {
        var pattern: [String: Value] = [:]
        let expected = "a mapping of module names (q_proj, model.layers.0.self_attn.q_proj) to \(values)"
        for (name, entry) in r.namedEntries(key, in: s, expected: expected) {
            if let problem = LoRAPatterns.keyProblem(name) {
                r.report(.refused(reason: "key '\(name)' \(problem)"), key: "lora.\(key)", at: entry.place)
                continue
            }
            if let value = r.parse(entry, key: "lora.\(key).\(name)", expected: values == "ranks" ? "an integer" : "a number",
                                   requirement: requirement, convert) {
                pattern[name] = value
            }
        }
        return pattern
    }

    private static func readOptimizer(_ r: inout ConfigReader, in root: ConfigReader.Section) -> OptimizerSettings {
        typealias R = ConfigReader
        let s = r.section("optimizer", in: root)
        let defaults = OptimizerSettings()
        var optimizer = OptimizerSettings()
        optimizer.learningRate = r.value("learning_rate", in: s, default: defaults.learningRate,
                                         expected: "a number", requirement: .positive, R.number)
        optimizer.epsilon = r.value("epsilon", in: s, default: defaults.epsilon, expected: "a number",
                                    requirement: .positive, R.number)
        optimizer.weightDecay = r.value("weight_decay", in: s, default: defaults.weightDecay, expected: "a number",
                                        requirement: .nonNegative, R.number)
        optimizer.exemptNormsAndBiases = r.value("exempt_norms_and_biases", in: s,
                                                 default: defaults.exemptNormsAndBiases,
                                                 expected: "true or false", R.boolean)
        guard let list = r.list("betas", in: s, expected: "a list of two numbers") else { return optimizer }
        let (items, place) = (list.items, list.place)
        var betas: [Double] = []
        for item in items {
            let entry = ConfigReader.Entry(node: item, place: ConfigPlace(item, orElse: place))
            if let beta = r.parse(entry, key: "optimizer.betas", expected: "a number",
                                  requirement: .unitHalfOpen, R.number) {
                betas.append(beta)
            }
        }
        if items.count != 2 {
            r.report(.invalidValue(requirement: "must hold exactly two numbers (β1, β2)", found: "\(items.count)"),
                     key: "optimizer.betas", at: place)
        }
        optimizer.betas = betas
        return optimizer
    }

    private static func readSchedule(_ r: inout ConfigReader, in root: ConfigReader.Section) -> ScheduleSettings {
        typealias R = ConfigReader
        let s = r.section("schedule", in: root)
        let defaults = ScheduleSettings()
        var schedule = ScheduleSettings()
        schedule.kind = r.value("kind", in: s, default: defaults.kind, expected: R.choices(ScheduleSettings.Kind.self),
                                ScheduleSettings.Kind.init(rawValue:))
        schedule.warmupSteps = r.value("warmup_steps", in: s, default: defaults.warmupSteps, expected: "an integer",
                                       requirement: .within(0...Limits.steps), R.integer)
        schedule.minimumLearningRateRatio = r.value("min_lr_ratio", in: s,
                                                    default: defaults.minimumLearningRateRatio,
                                                    expected: "a number", requirement: .unitClosed, R.number)
        return schedule
    }
}
