import QuenchTensor

/// The hooks through which the layers add their adapters' share to each projection, and the
/// projections that are a single weight (not a fused block), adapter included.
extension CausalLM {
    /// output = input · Wᵀ (+ bias) (+ the adapter's share) for the projection `name`.
    func project(_ name: String, input: Tensor, output: Tensor, _ ws: Workspace) throws {
        try Linear.forward(input: input, weight: parameter(name), bias: bias(name + "_bias"), output: output,
                           engine: engine)
        try adapt(name, input: input, output: output, ws)
    }

    /// The backward pass of `project`: inputGrad += ∂L/∂input, and the weight, bias and adapter gradients.
    func projectBackward(_ name: String, input: Tensor, outputGrad: Tensor, inputGrad: Tensor, _ ws: Workspace,
                         _ grads: ParameterGradients) throws {
        try Linear.backward(outputGrad: outputGrad, input: input, weight: parameter(name), inputGrad: inputGrad,
                            weightGrad: grads[name], biasGrad: grads[name + "_bias"], engine: engine)
        try adaptBackward(name, input: input, outputGrad: outputGrad, inputGrad: inputGrad, ws)
    }

    /// The attention backward of layer `l`: the gradients of its (rotated) q, k and v.
    func attentionBackward(_ l: Int, outputGrad: Tensor, _ ws: Workspace) throws -> (Tensor, Tensor, Tensor) {
        let dq = try ws.gradient("q"), dk = try ws.gradient("k"), dv = try ws.gradient("v")
        try ws.attention.backward(
            outputGrad: outputGrad, query: ws.activation("q", l), key: ws.activation("k", l),
            value: ws.activation("v", l), probabilities: ws.activation("probs", l),
            queryGrad: dq, keyGrad: dk, valueGrad: dv, scratch: ws.gradient("probs", zeroed: false))
        return (dq, dk, dv)
    }

    /// output[:, columnOffset...] += the adapter of `parameter` applied to `input`, when it has one.
    func adapt(_ parameter: String, input: Tensor, output: Tensor, columnOffset: Int = 0, _ ws: Workspace) throws {
        guard let adapters, let target = adapters.target(parameter) else { return }
        try adapters.forward(target, input: input, saved: ws.activation("lora.\(parameter)"), output: output,
                             columnOffset: columnOffset, training: ws.appliesDropout, scratch: ws.loraDropoutScratch,
                             dora: doraInputs(parameter, adapters, ws))
    }

    /// The adapter's gradients, and its share of inputGrad, for the projection `parameter`.
    func adaptBackward(_ parameter: String, input: Tensor, outputGrad: Tensor, columnOffset: Int = 0,
                       inputGrad: Tensor, _ ws: Workspace) throws {
        guard let adapters, let target = adapters.target(parameter) else { return }
        let dora = try doraInputs(parameter, adapters, ws)
        try adapters.backward(target, input: input, saved: ws.activation("lora.\(parameter)"), outputGrad: outputGrad,
                              columnOffset: columnOffset, inputGrad: inputGrad, scratch: ws.gradient("lora", zeroed: false),
                              dropoutScratch: ws.loraDropoutScratch, dora: dora,
                              doraScratch: dora.map { _ in try ws.gradient("dora", zeroed: false) })
    }

    /// The weight, bias and row-norm buffer of the projection `parameter` when its adapters are DoRA's.
    private func doraInputs(_ parameter: String, _ adapters: LoRAAdapters, _ ws: Workspace) throws -> LoRAAdapters.DoRAInputs? {
        guard adapters.useDoRA else { return nil }
        return LoRAAdapters.DoRAInputs(weight: try self.parameter(parameter), bias: try bias(parameter + "_bias"),
                                       norms: try ws.activation("dora.\(parameter)"), engine: engine)
    }
}
