import QuenchTensor
import QuenchRandom

/// Low-rank adapters on a model's projections: y = W x + s · B (A x), with A (r, in), B (out, r) and
/// s = α/r, or α/√r for rank-stabilised LoRA (rsLoRA); r and α may differ per projection (PEFT's
/// `rank_pattern` and `alpha_pattern`). With DoRA, y = (m / ‖W + s B A‖) ⊙ (W x + s B A x) + bias, with a
/// trained magnitude m per output row (see `LoRAAdapters+DoRA`). The base weights stay frozen; only A,
/// B (and m) train, so they alone get gradients and optimizer moments.
///
/// Adapter tensors are named `layers.{l}.{module}.lora_A` / `.lora_B` / `.lora_magnitude` after Quench's
/// parameter names.
public final class LoRAAdapters {
    /// One adapted projection.
    public struct Target: Sendable, Equatable {
        public let layer: Int
        /// Quench module name: q, k, v, o, gate, up, down (Llama) or qkv, o, fc, proj (GPT-2).
        public let module: String
        /// The projection's input width (A's columns).
        public let inFeatures: Int
        /// The projection's output width (B's rows).
        public let outFeatures: Int
        /// Its rank r: the adapters' rank, or what `rank_pattern` gives this module.
        public let rank: Int
        /// Its lora_alpha: the adapters' alpha, or what `alpha_pattern` gives this module.
        public let alpha: Float
        /// The adapted weight's Quench parameter name, `layers.{l}.{module}`.
        public var parameter: String { "layers.\(layer).\(module)" }
    }

    /// Modules each architecture can adapt, in layer order.
    public static func knownModules(_ architecture: ModelConfig.Architecture) -> [String] {
        switch architecture {
        case .llama: return ["q", "k", "v", "o", "gate", "up", "down"]
        case .gpt2: return ["qkv", "o", "fc", "proj"]
        }
    }

    /// The default rank r (PEFT's `r`); `Target.rank` is each projection's own.
    public let rank: Int
    /// The default lora_alpha; `Target.alpha` is each projection's own.
    public let alpha: Float
    /// Rank-stabilised LoRA (PEFT's `use_rslora`): the scale is α/√r instead of α/r.
    public let useRSLoRA: Bool
    /// Weight-decomposed LoRA (PEFT's `use_dora`): a trained magnitude per output row rescales the
    /// adapted weight to it.
    public let useDoRA: Bool
    /// The per-module ranks and alphas the targets were given (PEFT's `rank_pattern`, `alpha_pattern`).
    public let patterns: LoRAPatterns
    /// Dropout probability on the adapters' input while training (0: none).
    public let dropout: Float
    /// Which masks the next training pass draws; the trainer sets it per micro-batch.
    public var dropoutStream: UInt64 = 0
    let seed: UInt64
    /// The adapted projections, in layer order, each with its own rank and alpha.
    public let targets: [Target]
    /// A and B (and the DoRA magnitudes) of every target, one allocation.
    public let weights: TensorBlock
    /// Their gradients (same layout).
    public let gradients: TensorBlock
    private let targetIndex: [String: Int]

    /// The factor on `target`'s output, from its own rank and alpha: α/√r with rsLoRA, else α/r
    /// (PEFT's `LoraLayer.update_layer`).
    public func scale(_ target: Target) -> Float {
        useRSLoRA ? target.alpha / Float(target.rank).squareRoot() : target.alpha / Float(target.rank)
    }

    /// Adapters of `rank` on `modules` of the layers `layers` of `model` (nil: every layer), with the
    /// ranks and alphas of `patterns` where they match a module: A drawn from U(−1/√in, 1/√in) (PEFT's
    /// Kaiming-uniform default) with `seed`, B zero, and with DoRA the magnitude set to the row norms of
    /// the base weight, so the adapted model starts equal to the base; `useRSLoRA` scales them by α/√r
    /// instead of α/r.
    /// - Throws: `LoRAPatterns.Failure` for a pattern PEFT would read differently; `TensorError` for
    ///   impossible settings and unknown modules or layers.
    public init(model: CausalLM, rank: Int, alpha: Float, useRSLoRA: Bool = false, useDoRA: Bool = false,
                dropout: Float = 0, modules: [String], layers: [Int]? = nil, patterns: LoRAPatterns = LoRAPatterns(),
                seed: UInt64) throws {
        let known = LoRAAdapters.knownModules(model.config.architecture)
        guard rank > 0, alpha > 0, dropout >= 0, dropout < 1 else {
            throw TensorError.invalidArgument(
                operation: "LoRA", detail: "rank and alpha must be positive and dropout in [0, 1)")
        }
        for module in modules where !known.contains(module) {
            throw TensorError.invalidArgument(
                operation: "LoRA", detail: "unknown target module '\(module)'; this architecture has \(known.joined(separator: ", "))")
        }
        let targets = try LoRAAdapters.targets(model: model, modules: modules, layers: layers, rank: rank, alpha: alpha,
                                               patterns: patterns)
        self.rank = rank
        self.alpha = alpha
        self.useRSLoRA = useRSLoRA
        self.useDoRA = useDoRA
        self.patterns = patterns
        self.dropout = dropout
        self.seed = seed
        self.targets = targets
        let layout = LoRAAdapters.layout(targets, useDoRA: useDoRA)
        // Weights and their gradients: twice the layout.
        try MemoryBudget.require(floats: MemoryBudget.elements(layout.map(\.shape) + layout.map(\.shape)),
                                 for: "LoRA adapters of rank \(targets.map(\.rank).max() ?? rank)",
                                 lower: "the LoRA rank (lora.rank, r)")
        weights = try TensorBlock(layout: layout)
        gradients = try TensorBlock(sameLayoutAs: weights)
        targetIndex = Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1.parameter, $0) })
        var generator = SplitMix64(seed: seed)
        for target in targets {
            let a = try weights.tensor(target.parameter + ".lora_A")
            let bound = 1 / Float(target.inFeatures).squareRoot()
            for i in 0..<a.count { a.storage[i] = (2 * generator.nextUnitFloat() - 1) * bound }
        }
        if useDoRA { try initialiseMagnitudes(model: model) }
    }

    /// The tensors of adapters on `targets`: A (r, in) and B (out, r) of each, and with DoRA its magnitude (out).
    static func layout(_ targets: [Target], useDoRA: Bool) -> [(name: String, shape: [Int])] {
        targets.flatMap { target in
            [(target.parameter + ".lora_A", [target.rank, target.inFeatures]),
             (target.parameter + ".lora_B", [target.outFeatures, target.rank])]
                + (useDoRA ? [(target.parameter + ".lora_magnitude", [target.outFeatures])] : [])
        }
    }

    /// The projections of `model` that adapters on `modules` of the layers `layers` (nil: every
    /// layer) adapt, in layer order, each with the rank and alpha `patterns` gives its Hugging Face
    /// module name, else `rank` and `alpha`.
    /// - Throws: `LoRAPatterns.Failure` for an invalid pattern or one whose keys disagree on a module.
    public static func targets(model: CausalLM, modules: [String], layers: [Int]? = nil, rank: Int, alpha: Float,
                               patterns: LoRAPatterns = LoRAPatterns()) throws -> [Target] {
        let count = model.config.layers
        if let layers {
            guard !layers.isEmpty else {
                throw TensorError.invalidArgument(operation: "LoRA", detail: "the list of layers to adapt is empty")
            }
            for layer in layers where !(0..<count).contains(layer) {
                throw TensorError.invalidArgument(
                    operation: "LoRA", detail: "layer \(layer) does not exist; the model has \(count) layers (0...\(count - 1))")
            }
        }
        try patterns.validate()
        let selected = layers.map(Set.init) ?? Set(0..<count)
        var targets: [Target] = []
        for layer in 0..<count where selected.contains(layer) {
            for module in knownModules(model.config.architecture) where modules.contains(module) {
                let parameter = "layers.\(layer).\(module)"
                let shape = try model.parameter(parameter).shape
                let own = try patterns.resolve(module: try huggingFaceModule(parameter, model: model))
                targets.append(Target(layer: layer, module: module, inFeatures: shape[1], outFeatures: shape[0],
                                      rank: own.rank ?? rank, alpha: own.alpha ?? alpha))
            }
        }
        return targets
    }

    /// The Hugging Face module name of the projection `parameter` (`model.layers.3.self_attn.q_proj`),
    /// which PEFT's tensor names and patterns use.
    public static func huggingFaceModule(_ parameter: String, model: CausalLM) throws -> String {
        guard let spec = model.specs.first(where: { $0.name == parameter }) else {
            throw TensorError.unknownTensor(name: parameter)
        }
        let name = spec.huggingFaceName
        return name.hasSuffix(".weight") ? String(name.dropLast(".weight".count)) : name
    }

    /// Floats of the adapters on `targets` (nil when that overflows): what the weights, their
    /// gradients and each optimizer moment take.
    public static func floats(targets: [Target], useDoRA: Bool) -> Int? {
        MemoryBudget.elements(layout(targets, useDoRA: useDoRA).map(\.shape))
    }

    /// The layers that have adapters, ascending.
    public var layers: [Int] { Array(Set(targets.map(\.layer))).sorted() }

    /// The adapter on `parameter` (e.g. `layers.3.q`), if any.
    public func target(_ parameter: String) -> Target? { targetIndex[parameter].map { targets[$0] } }

    /// Position of `target` in `targets` (it keys the target's dropout masks).
    func index(of target: Target) -> Int { targetIndex[target.parameter] ?? 0 }

    /// A (r, in) and B (out, r) of `target`.
    public func matrices(_ target: Target) throws -> (a: Tensor, b: Tensor) {
        (try weights.tensor(target.parameter + ".lora_A"), try weights.tensor(target.parameter + ".lora_B"))
    }

    /// dA and dB of `target`.
    public func gradientMatrices(_ target: Target) throws -> (a: Tensor, b: Tensor) {
        (try gradients.tensor(target.parameter + ".lora_A"), try gradients.tensor(target.parameter + ".lora_B"))
    }

    /// The DoRA magnitude m (out) of `target`, and its gradient.
    public func magnitude(_ target: Target) throws -> (m: Tensor, gradient: Tensor) {
        (try weights.tensor(target.parameter + ".lora_magnitude"), try gradients.tensor(target.parameter + ".lora_magnitude"))
    }
}
