import QuenchData
import QuenchTensor
/// Everything that decides how a model is fine-tuned: the `training` section of a job spec, or a
/// standalone file for `quench train CONFIG.yaml`.
///
/// YAML keys are snake_case. Only `data.train` is required; every other key has the default below.
///
/// | Key | Type | Default | Meaning |
/// | --- | --- | --- | --- |
/// | `model` | string | none (give it on the command line) | `.gguf` file or Hugging Face directory |
/// | `output` | string | `runs/train` | run directory: checkpoints, logs, adapters |
/// | `method` | `full` \| `lora` | `lora` | train all weights, or low-rank adapters |
/// | `lora.rank` | integer ≥ 1 | 8 | adapter rank r |
/// | `lora.alpha` | number > 0 | 16 | adapter scale is alpha / r (alpha / √r with `use_rslora`) |
/// | `lora.use_rslora` | boolean | false | rank-stabilised LoRA: scale by alpha / √r (PEFT's `use_rslora`) |
/// | `lora.use_dora` | boolean | false | DoRA: a trained magnitude per output row rescales the adapted weight (PEFT's `use_dora`); needs `lora.dropout` 0 |
/// | `lora.rank_pattern` | mapping of module name to integer ≥ 1 | none | per-module rank (PEFT's `rank_pattern`; see `LoRAPatterns`) |
/// | `lora.alpha_pattern` | mapping of module name to number > 0 | none | per-module alpha (PEFT's `alpha_pattern`) |
/// | `lora.dropout` | number in [0, 1) | 0 | dropout on the adapter input |
/// | `lora.targets` | list of layer names | every linear layer of the family | see `LoRASettings.knownTargets` |
/// | `lora.layers` | integer ≥ 1, ≤ the model's layers | every layer | adapt only the top N layers |
/// | `data.train` | string (**required**) |  | training data file |
/// | `data.validation` | string | none | validation data file |
/// | `data.validation_split` | number in [0, 1) | none | fraction of `train` held out; not with `validation` |
/// | `data.format` | `text` \| `prompt_completion` \| `chat` | detected from the file | record layout |
/// | `data.max_sequence_length` | integer ≥ 2 | 512 | tokens per sequence |
/// | `data.sequences` | `pack` \| `truncate` | `pack` | concatenate examples, or one per row |
/// | `optimizer.learning_rate` | number > 0 | 2e-4 | peak AdamW learning rate |
/// | `optimizer.betas` | two numbers in [0, 1) | [0.9, 0.999] | AdamW β1, β2 |
/// | `optimizer.epsilon` | number > 0 | 1e-8 | AdamW ε |
/// | `optimizer.weight_decay` | number ≥ 0 | 0 | decoupled weight decay |
/// | `optimizer.exempt_norms_and_biases` | boolean | true | no weight decay on norms and biases |
/// | `schedule.kind` | `constant` \| `linear` \| `cosine` | `cosine` | shape after warmup |
/// | `schedule.warmup_steps` | integer ≥ 0 | 0 | linear warmup from 0; ≤ `max_steps` |
/// | `schedule.min_lr_ratio` | number in [0, 1] | 0 | floor, as a fraction of the peak |
/// | `batch_size` | integer ≥ 1 | 4 | sequences per micro-batch |
/// | `gradient_accumulation` | integer ≥ 1 | 1 | micro-batches per optimizer step |
/// | `max_steps` | integer ≥ 1 | none | optimizer steps; not with `epochs` |
/// | `epochs` | integer ≥ 1 | 1 (when `max_steps` absent) | passes over the training data |
/// | `clip_gradient_norm` | number > 0, or null | 1.0 | global gradient norm clip; null disables |
/// | `seed` | integer ≥ 0 | 0 | shuffling, dropout and adapter initialisation |
/// | `checkpoint_every` | integer ≥ 1 | 100 | optimizer steps between checkpoints |
/// | `evaluate_every` | integer ≥ 1 | 50 | optimizer steps between validation runs |
/// | `log_every` | integer ≥ 1 | 1 | optimizer steps between log lines |
/// | `precision` | `fp32` \| `bf16` | `fp32` | matrix products: fp32, or bf16 mixed precision (needs AVX512_BF16 or AMX-BF16) |
public struct TrainingConfig: Codable, Sendable, Equatable {
    /// Which weights training updates.
    public enum Method: String, Codable, Sendable, CaseIterable {
        /// Every weight of the model.
        case full
        /// Low-rank adapters beside frozen weights.
        case lora
    }

    /// Path of the `.gguf` file or Hugging Face directory; nil when the command line supplies it.
    public var model: String?
    /// Run directory for checkpoints, logs and the trained weights.
    public var output: String
    public var method: Method
    /// Adapter settings; ignored (and left out of `canonicalHash()`) when `method` is `full`.
    public var lora: LoRASettings
    public var data: DataSettings
    public var optimizer: OptimizerSettings
    public var schedule: ScheduleSettings
    /// Sequences per micro-batch.
    public var batchSize: Int
    /// Micro-batches whose gradients are summed before one optimizer step.
    public var gradientAccumulation: Int
    /// Optimizer steps to run; exactly one of `maxSteps` and `epochs` is set.
    public var maxSteps: Int?
    /// Passes over the training data; exactly one of `maxSteps` and `epochs` is set.
    public var epochs: Int?
    /// Clip the global gradient norm to this value; nil disables clipping.
    public var clipGradientNorm: Double?
    /// Seeds shuffling, dropout and adapter initialisation so runs repeat exactly.
    public var seed: Int
    /// Optimizer steps between checkpoints.
    public var checkpointEvery: Int
    /// Optimizer steps between validation passes.
    public var evaluateEvery: Int
    /// Optimizer steps between log lines.
    public var logEvery: Int
    /// The number format of training's matrix products: `fp32`, or `bf16` mixed precision as PyTorch's
    /// CPU autocast does it (bf16 inputs, fp32 accumulation, master weights and optimizer). A job's
    /// evaluation and gate run in fp32 whatever this says.
    public var precision: Precision {
        get { nonDefaultPrecision ?? .fp32 }
        set { nonDefaultPrecision = newValue == .fp32 ? nil : newValue }
    }
    /// `precision` when it is not fp32, so an fp32 configuration encodes (and hashes) exactly as it
    /// did before the key existed.
    var nonDefaultPrecision: Precision?

    /// A configuration with every default of the key table, training on `data`.
    public init(
        model: String? = nil, output: String = "runs/train", method: Method = .lora,
        lora: LoRASettings = LoRASettings(), data: DataSettings,
        optimizer: OptimizerSettings = OptimizerSettings(), schedule: ScheduleSettings = ScheduleSettings(),
        batchSize: Int = 4, gradientAccumulation: Int = 1, maxSteps: Int? = nil, epochs: Int? = 1,
        clipGradientNorm: Double? = 1.0, seed: Int = 0,
        checkpointEvery: Int = 100, evaluateEvery: Int = 50, logEvery: Int = 1, precision: Precision = .fp32
    ) {
        self.model = model
        self.output = output
        self.method = method
        self.lora = lora
        self.data = data
        self.optimizer = optimizer
        self.schedule = schedule
        self.batchSize = batchSize
        self.gradientAccumulation = gradientAccumulation
        self.maxSteps = maxSteps
        self.epochs = epochs
        self.clipGradientNorm = clipGradientNorm
        self.seed = seed
        self.checkpointEvery = checkpointEvery
        self.evaluateEvery = evaluateEvery
        self.logEvery = logEvery
        self.precision = precision
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, output, method, lora, data, optimizer, schedule
        case batchSize = "batch_size", gradientAccumulation = "gradient_accumulation"
        case maxSteps = "max_steps", epochs
        case clipGradientNorm = "clip_gradient_norm", seed
        case checkpointEvery = "checkpoint_every", evaluateEvery = "evaluate_every", logEvery = "log_every"
        case nonDefaultPrecision = "precision"
    }
}

extension TrainingConfig {
    /// Low-rank adaptation: which layers get adapters, and their size.
    public struct LoRASettings: Codable, Sendable, Equatable {
        /// Adapter rank r.
        public var rank: Int
        /// The adapter output is scaled by alpha / rank, or alpha / √rank with `useRSLoRA`.
        public var alpha: Double
        /// Rank-stabilised LoRA (PEFT's `use_rslora`): scale the adapters by alpha / √rank.
        public var useRSLoRA: Bool {
            get { rsLoRA ?? false }
            set { rsLoRA = newValue ? true : nil }
        }
        /// `true` when rsLoRA is on, else nil, so a configuration without it encodes (and hashes) exactly
        /// as it did before the key existed.
        var rsLoRA: Bool?
        /// Weight-decomposed LoRA (PEFT's `use_dora`): a trained magnitude per output row.
        public var useDoRA: Bool {
            get { doRA ?? false }
            set { doRA = newValue ? true : nil }
        }
        /// `true` when DoRA is on, else nil (encoded and hashed only when on, like `rsLoRA`).
        var doRA: Bool?
        /// Per-module ranks by Hugging Face module name (PEFT's `rank_pattern`); empty: none.
        public var rankPattern: [String: Int] {
            get { ranks ?? [:] }
            set { ranks = newValue.isEmpty ? nil : newValue }
        }
        /// Per-module alphas by Hugging Face module name (PEFT's `alpha_pattern`); empty: none.
        public var alphaPattern: [String: Double] {
            get { alphas ?? [:] }
            set { alphas = newValue.isEmpty ? nil : newValue }
        }
        /// The patterns when not empty, else nil, so a configuration without them encodes as before.
        var ranks: [String: Int]?
        var alphas: [String: Double]?
        /// Dropout probability on the adapter input.
        public var dropout: Double
        /// Layer names to adapt; nil means every entry of `knownTargets` for the model's family.
        public var targets: [String]?
        /// Adapt only the top N decoder layers (mlx-lm's `num_layers`), so the backward pass stops
        /// below them; nil adapts every layer.
        public var layers: Int?

        /// Adapter settings with the defaults of the key table.
        public init(rank: Int = 8, alpha: Double = 16, useRSLoRA: Bool = false, dropout: Double = 0,
                    targets: [String]? = nil, layers: Int? = nil) {
            self.rank = rank
            self.alpha = alpha
            self.dropout = dropout
            self.targets = targets
            self.layers = layers
            self.useRSLoRA = useRSLoRA
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case rank, alpha, rsLoRA = "use_rslora", doRA = "use_dora", ranks = "rank_pattern", alphas = "alpha_pattern"
            case dropout, targets, layers
        }
    }

    /// Where the examples come from and how they become fixed-length token sequences.
    public struct DataSettings: Codable, Sendable, Equatable {
        /// Training data file.
        public var train: String
        /// Validation data file, if separate from `train`.
        public var validation: String?
        /// Fraction of `train` held out for validation, in [0, 1); not combined with `validation`.
        public var validationSplit: Double?
        /// Record layout; nil detects it from the file.
        public var format: DatasetFormat?
        /// Tokens per training sequence.
        public var maxSequenceLength: Int
        /// How examples become rows of `maxSequenceLength` tokens.
        public var sequences: SequencePolicy

        /// Data settings with the defaults of the key table.
        public init(
            train: String, validation: String? = nil, validationSplit: Double? = nil, format: DatasetFormat? = nil,
            maxSequenceLength: Int = 512, sequences: SequencePolicy = .pack
        ) {
            self.train = train
            self.validation = validation
            self.validationSplit = validationSplit
            self.format = format
            self.maxSequenceLength = maxSequenceLength
            self.sequences = sequences
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case train, validation, validationSplit = "validation_split", format
            case maxSequenceLength = "max_sequence_length", sequences
        }
    }

    /// AdamW hyperparameters.
    public struct OptimizerSettings: Codable, Sendable, Equatable {
        /// Peak learning rate; the schedule scales it.
        public var learningRate: Double
        /// β1 and β2: decay rates of the first and second moment estimates.
        public var betas: [Double]
        public var epsilon: Double
        /// Decoupled (AdamW) weight decay.
        public var weightDecay: Double
        /// Skip weight decay on norm weights and biases, as most recipes do.
        public var exemptNormsAndBiases: Bool

        /// AdamW settings with the defaults of the key table.
        public init(
            learningRate: Double = 2e-4, betas: [Double] = [0.9, 0.999], epsilon: Double = 1e-8,
            weightDecay: Double = 0, exemptNormsAndBiases: Bool = true
        ) {
            self.learningRate = learningRate
            self.betas = betas
            self.epsilon = epsilon
            self.weightDecay = weightDecay
            self.exemptNormsAndBiases = exemptNormsAndBiases
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case learningRate = "learning_rate", betas, epsilon, weightDecay = "weight_decay"
            case exemptNormsAndBiases = "exempt_norms_and_biases"
        }
    }

    /// The learning-rate schedule; see `LearningRateSchedule` for the formulas.
    public struct ScheduleSettings: Codable, Sendable, Equatable {
        /// The shape of the schedule after warmup.
        public enum Kind: String, Codable, Sendable, CaseIterable {
            /// Stay at the peak.
            case constant
            /// Fall in a straight line to the floor at the last step.
            case linear
            /// Fall along a half cosine to the floor at the last step.
            case cosine
        }

        public var kind: Kind
        /// Steps of linear warmup from 0 to the peak.
        public var warmupSteps: Int
        /// The floor the decay ends at, as a fraction of the peak (0 decays to zero).
        public var minimumLearningRateRatio: Double

        /// Schedule settings with the defaults of the key table.
        public init(kind: Kind = .cosine, warmupSteps: Int = 0, minimumLearningRateRatio: Double = 0) {
            self.kind = kind
            self.warmupSteps = warmupSteps
            self.minimumLearningRateRatio = minimumLearningRateRatio
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case kind, warmupSteps = "warmup_steps", minimumLearningRateRatio = "min_lr_ratio"
        }
    }
}
