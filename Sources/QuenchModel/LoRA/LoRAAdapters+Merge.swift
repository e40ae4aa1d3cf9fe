import QuenchTensor

extension LoRAAdapters {
    /// Folds the adapters into `model`'s weights, W += scale · B A, one GEMM per target, and
    /// detaches them: the merged model computes what the adapted one did.
    public func merge(into model: CausalLM) throws {
        for target in targets {
            let (a, b) = try matrices(target)
            // W (out,in) += scale · B (out,r) · A (r,in)
            try MatMul.multiply(b, .none, a, .none, into: model.parameter(target.parameter), alpha: scale, beta: 1)
        }
        try model.weightsChanged()
        if model.adapters === self { model.adapters = nil }
    }
}
