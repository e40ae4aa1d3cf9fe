import QuenchTensor

/// The activations of one forward pass, and for training the gradient scratch of the backward pass:
/// allocated once for a (B, T) and reused every step.
///
/// Shapes: N = B·T tokens, C channels, H MLP width, Q = NH·HS query width, K = NKV·HS key width.
/// The fused q|k|v projection output (N, Q+2K) is scratch shared by the layers; q, k and v are
/// saved per layer.
public final class Workspace {
    public let batch: Int
    public let time: Int
    /// Saved activations, by name with the layer appended (`q.3`).
    let activations: TensorBlock
    /// Gradient scratch shared by all layers (nil for inference).
    let gradients: TensorBlock?
    let attention: Attention
    /// Rotary tables for positions `0..<time` (Llama), nil for GPT-2.
    let rotary: RotaryEmbedding?
    /// Whether forward passes drop out adapter inputs: on for training workspaces; turn it off for
    /// a validation pass.
    public var appliesDropout: Bool
    /// dropout(x) of an adapted projection's input, when the adapters drop out (N, widest input).
    let loraDropoutScratch: Tensor?
    /// Rows of logits the loss holds at once.
    public let lossChunkRows: Int

    /// Plans and allocates the buffers for `config` at (batch, time).
    /// `adapters` adds room for the LoRA activations (x·Aᵀ of every adapted projection, and with DoRA
    /// its row norms).
    /// - Throws: `ModelError.exceedsMemory` naming the batch size and sequence length when the
    ///   buffers would not fit in this machine's memory.
    public init(config: ModelConfig, batch: Int, time: Int, training: Bool, lossChunkRows: Int = 128,
                adapters: LoRAAdapters? = nil) throws {
        guard batch > 0, time > 0, time <= config.maxPositions else {
            throw TensorError.invalidArgument(
                operation: "Workspace",
                detail: "batch \(batch) × time \(time) does not fit a model of \(config.maxPositions) positions")
        }
        let what = "a \(training ? "training" : "inference") workspace of \(batch) sequences × \(time) tokens"
        let lower = "the batch size (batch_size) or the sequence length (max_sequence_length, --context)"
        let (n, overflow) = batch.multipliedReportingOverflow(by: time)
        guard !overflow else {
            throw ModelError.exceedsMemory(what: what, bytes: nil, available: MemoryBudget.physicalBytes, lower: lower)
        }
        let plan = Plan(config: config, batch: batch, time: time, tokens: n, training: training,
                        lossChunkRows: min(lossChunkRows, n), adapters: adapters.map(AdapterPlan.init))
        try MemoryBudget.require(floats: MemoryBudget.elements(plan.shapes), for: what, lower: lower)
        self.batch = batch
        self.time = time
        self.lossChunkRows = min(lossChunkRows, n)
        activations = try TensorBlock(layout: plan.activations)
        gradients = try plan.gradients.map { try TensorBlock(layout: $0) }
        appliesDropout = training
        loraDropoutScratch = plan.dropoutWidth > 0 ? try Tensor(zeros: [n, plan.dropoutWidth]) : nil
        attention = try Attention(batch: batch, time: time, queryHeads: config.heads,
                                  keyValueHeads: config.keyValueHeads, headSize: config.headSize)
        rotary = try CausalLM.rotaryTables(for: config, positions: time)
    }

    /// The adapters a workspace makes room for, known before they are allocated.
    public struct AdapterPlan {
        /// The adapted projections, each with its own rank.
        public let targets: [LoRAAdapters.Target]
        /// Whether training drops out the adapters' inputs.
        public let dropout: Bool
        /// Whether they are DoRA adapters (room for each projection's row norms, and a backward scratch).
        public let useDoRA: Bool

        /// Adapters on `targets`, with or without input dropout and DoRA.
        public init(targets: [LoRAAdapters.Target], dropout: Bool, useDoRA: Bool = false) {
            (self.targets, self.dropout, self.useDoRA) = (targets, dropout, useDoRA)
        }

        /// The widest adapted input when inputs drop out (sizes the dropout scratch), else 0.
        var dropoutWidth: Int { dropout ? targets.map(\.inFeatures).max() ?? 0 : 0 }

        /// The largest rank (sizes the backward's x·Aᵀ gradient scratch).
        var largestRank: Int { targets.map(\.rank).max() ?? 0 }

        /// The widest adapted output with DoRA (sizes its backward scratch), else 0.
        var doraWidth: Int { useDoRA ? targets.map(\.outFeatures).max() ?? 0 : 0 }

        init(_ adapters: LoRAAdapters) {
            self.init(targets: adapters.targets, dropout: adapters.dropout > 0, useDoRA: adapters.useDoRA)
        }
    }

    /// Floats a workspace with these settings would allocate, or nil when the count overflows: what
    /// a command adds to its `MemoryBudget` before allocating anything.
    public static func plannedFloats(config: ModelConfig, batch: Int, time: Int, training: Bool,
                                     lossChunkRows: Int = 128, adapters: AdapterPlan? = nil) -> Int? {
        let (n, overflow) = batch.multipliedReportingOverflow(by: time)
        guard !overflow, batch > 0, time > 0 else { return nil }
        return MemoryBudget.elements(Plan(config: config, batch: batch, time: time, tokens: n, training: training,
                                          lossChunkRows: min(lossChunkRows, n), adapters: adapters).shapes)
    }

    /// The buffers of a workspace, as (name, shape) layouts, planned before any is allocated.
    private struct Plan {
        let activations: [(name: String, shape: [Int])]
        let gradients: [(name: String, shape: [Int])]?
        /// The widest adapted input when adapter inputs drop out, else 0.
        let dropoutWidth: Int
        let tokens: Int
        /// The rotary tables' size, as shapes.
        let rotary: [[Int]]

        /// Every shape above, for the memory check.
        var shapes: [[Int]] {
            activations.map(\.shape) + (gradients ?? []).map(\.shape) + [[tokens, dropoutWidth]] + rotary
        }

        init(config: ModelConfig, batch: Int, time: Int, tokens n: Int, training: Bool, lossChunkRows: Int,
             adapters: AdapterPlan?) {
            let (c, h) = (config.hiddenSize, config.intermediateSize)
            let q = config.heads * config.headSize, k = config.keyValueHeads * config.headSize
            let probabilities = [batch, config.heads, time, time]
            var layout: [(name: String, shape: [Int])] = (0...config.layers).map { ("residual.\($0)", [n, c]) }
            for l in 0..<config.layers {
                layout += [("attn_norm.\(l)", [n, c]), ("attn_norm_mean.\(l)", [n]), ("attn_norm_rstd.\(l)", [n]),
                           ("q.\(l)", [n, q]), ("k.\(l)", [n, k]), ("v.\(l)", [n, k]), ("probs.\(l)", probabilities),
                           ("attn_out.\(l)", [n, q]), ("mid.\(l)", [n, c]),
                           ("mlp_norm.\(l)", [n, c]), ("mlp_norm_mean.\(l)", [n]), ("mlp_norm_rstd.\(l)", [n]),
                           ("act.\(l)", [n, h])]
                switch config.architecture {
                case .llama: layout.append(("gate_up.\(l)", [n, 2 * h]))
                case .gpt2: layout.append(("fc.\(l)", [n, h]))
                }
            }
            layout += [("final_norm", [n, c]), ("final_norm_mean", [n]), ("final_norm_rstd", [n]), ("qkv", [n, q + 2 * k]),
                       ("logits_chunk", [lossChunkRows, config.vocabularySize]), ("token_loss", [n])]
            layout += (adapters?.targets ?? []).map { ("lora.\($0.parameter)", [n, $0.rank]) }
            if let adapters, adapters.useDoRA {
                layout += adapters.targets.map { ("dora.\($0.parameter)", [$0.outFeatures]) }
            }
            activations = layout
            var scratch: [(name: String, shape: [Int])] = [
                ("residual", [n, c]), ("norm", [n, c]), ("q", [n, q]), ("k", [n, k]), ("v", [n, k]),
                ("qkv", [n, q + 2 * k]), ("attn_out", [n, q]), ("probs", probabilities), ("act", [n, h]),
                (config.architecture == .llama ? "gate_up" : "fc", [n, config.architecture == .llama ? 2 * h : h]),
                ("lora", [n, max(adapters?.largestRank ?? 0, 1)]),
            ]
            if let adapters, adapters.useDoRA { scratch.append(("dora", [n, adapters.doraWidth])) }
            gradients = training ? scratch : nil
            dropoutWidth = training ? adapters?.dropoutWidth ?? 0 : 0
            tokens = n
            rotary = CausalLM.rotaryShapes(for: config, positions: time)
        }
    }

    /// The saved activation `name` of layer `layer` (or the model-level one when layer is nil).
    func activation(_ name: String, _ layer: Int? = nil) throws -> Tensor {
        try activations.tensor(layer.map { "\(name).\($0)" } ?? name)
    }

    /// The gradient scratch `name`, zeroed when `zeroed`.
    func gradient(_ name: String, zeroed: Bool = true) throws -> Tensor {
        guard let gradients else {
            throw TensorError.invalidArgument(operation: "backward", detail: "the workspace was made for inference")
        }
        let tensor = try gradients.tensor(name)
        if zeroed { tensor.zero() }
        return tensor
    }

    /// Per-token NLL of the last forward pass with targets (0 where ignored).
    public var tokenLoss: [Float] { (try? activations.tensor("token_loss").toArray()) ?? [] }
}
