import QuenchTensor
import QuenchRandom

/// Low-rank adapters on a model's projections: y = W x + s · B (A x), with A (r, in), B (out, r) and
/// s = α/r, or α/√r for rank-stabilised LoRA (rsLoRA). The base weights stay frozen; only A and B
/// train, so they alone get gradients and optimizer moments.
///
/// Adapter tensors are named `layers.{l}.{module}.lora_A` / `.lora_B` after Quench's parameter names.
public final class LoRAAdapters {
    /// One adapted projection.
    public struct Target: Sendable, Equatable {
        public let layer: Int
        /// Quench module name: q, k, v, o, gate, up, down (Llama) or qkv, o, fc, proj (GPT-2).
        public let module: String
        public let inFeatures: Int
        public let outFeatures: Int
        public var parameter: String { "layers.\(layer).\(module)" }
    }

    /// Modules each architecture can adapt, in layer order.
    public static func knownModules(_ architecture: ModelConfig.Architecture) -> [String] {
        switch architecture {
        case .llama: return ["q", "k", "v", "o", "gate", "up", "down"]
        case .gpt2: return ["qkv", "o", "fc", "proj"]
        }
    }

    public let rank: Int
    public let alpha: Float
    /// Rank-stabilised LoRA (PEFT's `use_rslora`): the scale is α/√r instead of α/r.
    public let useRSLoRA: Bool
    /// Dropout probability on the adapters' input while training (0: none).
    public let dropout: Float
    /// Which masks the next training pass draws; the trainer sets it per micro-batch.
    public var dropoutStream: UInt64 = 0
    let seed: UInt64
    public let targets: [Target]
    /// A and B of every target, one allocation.
    public let weights: TensorBlock
    /// Their gradients (same layout).
    public let gradients: TensorBlock
    private let targetIndex: [String: Int]

    /// The factor on the adapter's output: α/√r with rsLoRA, else α/r (PEFT's `LoraLayer.update_layer`).
    public var scale: Float { useRSLoRA ? alpha / Float(rank).squareRoot() : alpha / Float(rank) }

    /// Adapters of `rank` on `modules` of the layers `layers` of `model` (nil: every layer): A drawn
    /// from U(−1/√in, 1/√in) (PEFT's Kaiming-uniform default) with `seed`, B zero, so the adapted
    /// model starts equal to the base; `useRSLoRA` scales them by α/√r instead of α/r.
    public init(model: CausalLM, rank: Int, alpha: Float, useRSLoRA: Bool = false, dropout: Float = 0,
                modules: [String], layers: [Int]? = nil, seed: UInt64) throws {
        let known = LoRAAdapters.knownModules(model.config.architecture)
        guard rank > 0, alpha > 0, dropout >= 0, dropout < 1 else {
            throw TensorError.invalidArgument(
                operation: "LoRA", detail: "rank and alpha must be positive and dropout in [0, 1)")
        }
        for module in modules where !known.contains(module) {
            throw TensorError.invalidArgument(
                operation: "LoRA", detail: "unknown target module '\(module)'; this architecture has \(known.joined(separator: ", "))")
        }
        let targets = try LoRAAdapters.targets(model: model, modules: modules, layers: layers)
        self.rank = rank
        self.alpha = alpha
        self.useRSLoRA = useRSLoRA
        self.dropout = dropout
        self.seed = seed
        self.targets = targets
        var layout: [(name: String, shape: [Int])] = []
        for target in targets {
            layout += [(target.parameter + ".lora_A", [rank, target.inFeatures]),
                       (target.parameter + ".lora_B", [target.outFeatures, rank])]
        }
        // Weights and their gradients: twice the layout.
        try MemoryBudget.require(floats: MemoryBudget.elements(layout.map(\.shape) + layout.map(\.shape)),
                                 for: "LoRA adapters of rank \(rank)", lower: "the LoRA rank (lora.rank, r)")
        weights = try TensorBlock(layout: layout)
        gradients = try TensorBlock(sameLayoutAs: weights)
        targetIndex = Dictionary(uniqueKeysWithValues: targets.enumerated().map { ($1.parameter, $0) })
        var generator = SplitMix64(seed: seed)
        for target in targets {
            let a = try weights.tensor(target.parameter + ".lora_A")
            let bound = 1 / Float(target.inFeatures).squareRoot()
            for i in 0..<a.count { a.storage[i] = (2 * generator.nextUnitFloat() - 1) * bound }
        }
    }

    /// The projections of `model` that adapters on `modules` of the layers `layers` (nil: every
    /// layer) adapt, in layer order.
    public static func targets(model: CausalLM, modules: [String], layers: [Int]? = nil) throws -> [Target] {
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
        let selected = layers.map(Set.init) ?? Set(0..<count)
        var targets: [Target] = []
        for layer in 0..<count where selected.contains(layer) {
            for module in knownModules(model.config.architecture) where modules.contains(module) {
                let shape = try model.parameter("layers.\(layer).\(module)").shape
                targets.append(Target(layer: layer, module: module, inFeatures: shape[1], outFeatures: shape[0]))
            }
        }
        return targets
    }

    /// Floats of A and B of rank `rank` on `targets` (nil when that overflows): what the weights,
    /// their gradients and each optimizer moment take.
    public static func floats(rank: Int, targets: [Target]) -> Int? {
        MemoryBudget.elements(targets.flatMap { [[rank, $0.inFeatures], [$0.outFeatures, rank]] })
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
}
