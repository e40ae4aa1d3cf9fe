import QuenchTensor

/// The hooks through which the layers add their adapters' share to each projection.
extension CausalLM {
    /// output[:, columnOffset...] += the adapter of `parameter` applied to `input`, when it has one.
    func adapt(_ parameter: String, input: Tensor, output: Tensor, columnOffset: Int = 0, _ ws: Workspace) throws {
        guard let adapters, let target = adapters.target(parameter) else { return }
        try adapters.forward(target, input: input, saved: ws.activation("lora.\(parameter)"), output: output,
                             columnOffset: columnOffset, training: ws.appliesDropout, scratch: ws.loraDropoutScratch)
    }

    /// The adapter's gradients, and its share of inputGrad, for the projection `parameter`.
    func adaptBackward(_ parameter: String, input: Tensor, outputGrad: Tensor, columnOffset: Int = 0,
                       inputGrad: Tensor, _ ws: Workspace) throws {
        guard let adapters, let target = adapters.target(parameter) else { return }
        try adapters.backward(target, input: input, saved: ws.activation("lora.\(parameter)"), outputGrad: outputGrad,
                              columnOffset: columnOffset, inputGrad: inputGrad, scratch: ws.gradient("lora", zeroed: false),
                              dropoutScratch: ws.loraDropoutScratch)
    }
}
