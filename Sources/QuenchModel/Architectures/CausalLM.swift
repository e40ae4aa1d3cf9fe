import QuenchTensor

/// A causal language model on the tensor engine: its configuration, every parameter in one
/// allocation (Quench names, see `ParameterTable`), and the forward pass.
///
/// Shapes: B batch, T time, N = B·T, C channels, V vocabulary.
public final class CausalLM {
    public let config: ModelConfig
    public let specs: [ParameterSpec]
    /// All parameters, one allocation, laid out in `specs` order.
    public let parameters: TensorBlock
    /// Low-rank adapters trained (or applied) on top of the frozen parameters, if any.
    public var adapters: LoRAAdapters?
    /// Where the projections' and the head's matrix products run (see `setPrecision`).
    public internal(set) var engine: MatrixEngine = .fp32

    /// A model with zeroed parameters, ready for a loader to fill.
    /// - Throws: `ModelError.exceedsMemory` when the parameters would not fit in this machine's
    ///   memory (checked before anything is allocated).
    public init(config: ModelConfig) throws {
        try MemoryBudget.require(
            floats: ParameterTable.elementCount(for: config),
            for: "the parameters of this \(config.modelType) model",
            lower: "the model's sizes (choose a smaller model) or its context length")
        self.config = config
        specs = ParameterTable.specs(for: config)
        // Packed back to back so adjacent projections (q|k|v, gate|up) form one matrix for one GEMM.
        parameters = try TensorBlock(layout: specs.map { ($0.name, $0.shape) }, alignment: 1)
    }

    /// The rotary tables (with the config's RoPE scaling) a Llama needs for positions `0..<positions` (nil for GPT-2's learned
    /// positions). A workspace or cache builds them for the length it holds, so a model declaring a
    /// huge context costs nothing until that much is used; an entry does not depend on the length.
    static func rotaryTables(for config: ModelConfig, positions: Int) throws -> RotaryEmbedding? {
        guard config.architecture == .llama else { return nil }
        return try RotaryEmbedding(inverseFrequencies: config.rotaryInverseFrequencies(), maxPositions: positions)
    }

    /// The shape whose element count equals the rotary tables' for `positions` (cosines and sines
    /// of HS/2 angles each), for memory budgets; empty for GPT-2.
    static func rotaryShapes(for config: ModelConfig, positions: Int) -> [[Int]] {
        config.architecture == .llama ? [[positions, config.headSize]] : []
    }

    /// The parameter `name`.
    public func parameter(_ name: String) throws -> Tensor { try parameters.tensor(name) }

    /// Number of parameters (tied weights counted once).
    public var parameterCount: Int { parameters.parameterCount }

    /// Runs the model over `batch`, keeping every activation the backward pass needs in `workspace`.
    /// With targets, returns the loss (summed NLL over scored tokens and their count).
    @discardableResult
    public func forward(_ batch: TokenBatch, workspace: Workspace) throws -> CrossEntropy.Result? {
        try check(batch, workspace)
        let embed = try parameter("embed")
        let stream = try workspace.activation("residual", 0)
        try Embedding.forward(ids: batch.inputs, table: embed, output: stream)
        if config.architecture == .gpt2 {
            try Embedding.forward(ids: positionIDs(batch), table: parameter("positions"), output: stream, accumulate: true)
        }
        for layer in 0..<config.layers {
            switch config.architecture {
            case .llama: try llamaLayerForward(layer, batch, workspace)
            case .gpt2: try gpt2LayerForward(layer, batch, workspace)
            }
        }
        try normForward("final_norm", input: workspace.activation("residual", config.layers),
                        output: workspace.activation("final_norm"), layer: nil, workspace)
        guard let targets = batch.targets else { return nil }
        return try CrossEntropy.forward(
            hidden: workspace.activation("final_norm"), weight: parameter(ParameterTable.headName(for: config)),
            targets: targets, scratch: workspace.activation("logits_chunk"), tokenLoss: workspace.activation("token_loss"),
            engine: engine)
    }

    /// logits (N,V) of the last forward pass: final hidden state · headᵀ.
    public func logits(workspace: Workspace, into output: Tensor) throws {
        try MatMul.multiply(workspace.activation("final_norm"), .none,
                            parameter(ParameterTable.headName(for: config)), .transposed, into: output, engine: engine)
    }

    /// The norm named `name` (with `_bias`, `_mean` for GPT-2's LayerNorm): RMSNorm or LayerNorm.
    func normForward(_ name: String, input: Tensor, output: Tensor, layer: Int?, _ workspace: Workspace) throws {
        let prefix = layer.map { "layers.\($0)." } ?? ""
        let rstd = try workspace.activation("\(name)_rstd", layer)
        switch config.architecture {
        case .llama:
            try RMSNorm.forward(input: input, weight: parameter(prefix + name), output: output, rstd: rstd,
                                epsilon: config.normEpsilon)
        case .gpt2:
            try LayerNorm.forward(input: input, weight: parameter(prefix + name), bias: parameter(prefix + name + "_bias"),
                                  output: output, mean: workspace.activation("\(name)_mean", layer), rstd: rstd,
                                  epsilon: config.normEpsilon)
        }
    }

    func positionIDs(_ batch: TokenBatch) -> [Int32] {
        batch.positions ?? (0..<(batch.batch * batch.time)).map { Int32($0 % batch.time) }
    }

    private func check(_ batch: TokenBatch, _ workspace: Workspace) throws {
        let n = batch.batch * batch.time
        guard batch.batch == workspace.batch, batch.time == workspace.time, batch.inputs.count == n,
              batch.targets.map({ $0.count == n }) ?? true, batch.positions.map({ $0.count == n }) ?? true,
              batch.segments.map({ $0.count == n }) ?? true else {
            throw TensorError.shapeMismatch(
                operation: "CausalLM.forward",
                detail: "batch (B=\(batch.batch), T=\(batch.time), \(batch.inputs.count) ids) for a workspace of "
                    + "(B=\(workspace.batch), T=\(workspace.time))")
        }
    }
}
