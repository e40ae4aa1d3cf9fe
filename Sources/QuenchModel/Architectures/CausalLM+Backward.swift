import QuenchTensor

/// The backward pass: gradients of the loss of the last `forward` with respect to every trainable
/// parameter, accumulated into `gradients` (so micro-batches add up).
extension CausalLM {
    /// Runs backward after `forward(batch, workspace:)` with targets. The loss differentiated is
    /// Σ NLL · `lossScale` (default: 1 / scored tokens, the mean). Returns the loss of the pass.
    ///
    /// `finished`, when given, is called with each range of `gradients.block.flat` as soon as this
    /// pass writes nothing more into it, so the ranks can start summing it while backward goes on
    /// (`GradientReducer`). The ranges come from the top of the block down, follow each other with no
    /// gap and cover the whole block (padding included) exactly once: first the final norm and an
    /// untied head, after the loss and the final norm's backward; then each layer's parameters right
    /// after that layer's backward, from the last layer down; last everything below the lowest layer
    /// computed: the embedding (a tied one takes gradient from the loss at the start of the pass and
    /// from the tokens at its end, so it is final only then), GPT-2's positions. Empty ranges are not
    /// reported. Without `finished` the pass costs nothing more.
    @discardableResult
    public func backward(_ batch: TokenBatch, workspace ws: Workspace, gradients: ParameterGradients,
                         lossScale: Float? = nil, finished: ((Range<Int>) throws -> Void)? = nil) throws -> CrossEntropy.Result {
        guard let targets = batch.targets else {
            throw TensorError.invalidArgument(operation: "backward", detail: "the batch has no targets")
        }
        let starts = try finished.map { _ in try layerGradientStarts(gradients) }
        func finish(_ range: Range<Int>) throws {
            if let finished, !range.isEmpty { try finished(range) }
        }
        let headName = ParameterTable.headName(for: config)
        let dFinal = try ws.gradient("norm")
        // The fused loss recomputes the logits a chunk at a time and returns ∂L/∂final_norm.
        let result = try CrossEntropy.forwardBackward(
            hidden: ws.activation("final_norm"), weight: parameter(headName), targets: targets,
            scratch: ws.activation("logits_chunk"), hiddenGrad: dFinal, weightGrad: gradients[headName],
            gradientScale: lossScale, engine: engine)
        let dStream = try ws.gradient("residual")
        try normBackward("final_norm", outputGrad: dFinal, input: ws.activation("residual", config.layers),
                         inputGrad: dStream, layer: nil, ws, gradients)
        if let starts { try finish(starts[config.layers] ..< gradients.block.flat.count) }
        let lowest = lowestLayerNeedingGradients(gradients)
        for layer in stride(from: config.layers - 1, through: lowest, by: -1) {
            switch config.architecture {
            case .llama: try llamaLayerBackward(layer, batch, ws, gradients)
            case .gpt2: try gpt2LayerBackward(layer, batch, ws, gradients)
            }
            if let starts { try finish(starts[layer] ..< starts[layer + 1]) }
        }
        if let embedGrad = gradients["embed"] {
            try Embedding.backward(ids: batch.inputs, outputGrad: dStream, tableGrad: embedGrad)
        }
        if config.architecture == .gpt2, let positionGrad = gradients["positions"] {
            try Embedding.backward(ids: positionIDs(batch), outputGrad: dStream, tableGrad: positionGrad)
        }
        if let starts { try finish(0 ..< starts[min(lowest, config.layers)]) }
        return result
    }

    /// Where each layer's gradients begin in `gradients.block.flat`: element l (0 ... layers) is the
    /// offset of the first trainable parameter of layer l or above, where the final norm and the head
    /// count as layer `layers`; the block's size when there is none.
    /// - Throws: `TensorError.invalidArgument` when the block is not laid out embedding, layers in
    ///   order, final norm and head (as `ParameterTable` lays it out), so no range could be final.
    func layerGradientStarts(_ gradients: ParameterGradients) throws -> [Int] {
        var level: [String: Int] = [:]
        var beforeLayers = true
        for spec in specs {
            let layer = Self.layerIndex(of: spec.name)
            if layer != nil { beforeLayers = false }
            level[spec.name] = layer ?? (beforeLayers ? -1 : config.layers)
        }
        let block = gradients.block
        let levels = block.entries.map { level[$0.name] ?? -1 }
        guard zip(levels, levels.dropFirst()).allSatisfy({ $0 <= $1 }) else {
            throw TensorError.invalidArgument(
                operation: "backward", detail: "the gradient block is not laid out layer by layer, so no part of it is final before the end")
        }
        var starts: [Int] = []
        var position = 0
        for layer in 0...config.layers {
            while position < levels.count, levels[position] < layer { position += 1 }
            starts.append(position < levels.count ? block.entries[position].offset : block.flat.count)
        }
        return starts
    }

    /// Backward of the norm `name`: inputGrad += ∂L/∂input, and the weight (and bias) gradients.
    func normBackward(_ name: String, outputGrad: Tensor, input: Tensor, inputGrad: Tensor, layer: Int?,
                      _ ws: Workspace, _ grads: ParameterGradients) throws {
        let prefix = layer.map { "layers.\($0)." } ?? ""
        let rstd = try ws.activation("\(name)_rstd", layer)
        switch config.architecture {
        case .llama:
            try RMSNorm.backward(outputGrad: outputGrad, input: input, weight: parameter(prefix + name), rstd: rstd,
                                 inputGrad: inputGrad, weightGrad: grads[prefix + name])
        case .gpt2:
            try LayerNorm.backward(outputGrad: outputGrad, input: input, weight: parameter(prefix + name),
                                   mean: ws.activation("\(name)_mean", layer), rstd: rstd, inputGrad: inputGrad,
                                   weightGrad: grads[prefix + name], biasGrad: grads[prefix + name + "_bias"])
        }
    }
}
