import QuenchTensor

/// The backward pass: gradients of the loss of the last `forward` with respect to every trainable
/// parameter, accumulated into `gradients` (so micro-batches add up).
extension CausalLM {
    /// Runs backward after `forward(batch, workspace:)` with targets. The loss differentiated is
    /// Σ NLL · `lossScale` (default: 1 / scored tokens, the mean). Returns the loss of the pass.
    @discardableResult
    public func backward(_ batch: TokenBatch, workspace ws: Workspace, gradients: ParameterGradients,
                         lossScale: Float? = nil) throws -> CrossEntropy.Result {
        guard let targets = batch.targets else {
            throw TensorError.invalidArgument(operation: "backward", detail: "the batch has no targets")
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
        for layer in stride(from: config.layers - 1, through: lowestLayerNeedingGradients(gradients), by: -1) {
            switch config.architecture {
            case .llama: try llamaLayerBackward(layer, batch, ws, gradients)
            case .gpt2: try gpt2LayerBackward(layer, batch, ws, gradients)
            }
        }
        if let embedGrad = gradients["embed"] {
            try Embedding.backward(ids: batch.inputs, outputGrad: dStream, tableGrad: embedGrad)
        }
        if config.architecture == .gpt2, let positionGrad = gradients["positions"] {
            try Embedding.backward(ids: positionIDs(batch), outputGrad: dStream, tableGrad: positionGrad)
        }
        return result
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
