import QuenchTensor

extension LoRAAdapters {
    /// Folds the adapters into `model`'s weights, W += s · B A (with DoRA, W = (m / ‖W + s B A‖) ⊙ (W + s B A)),
    /// one GEMM per target, and detaches them: the merged model computes what the adapted one did.
    public func merge(into model: CausalLM) throws {
        for target in targets {
            let weight = try model.parameter(target.parameter)
            if useDoRA {
                try mergeDoRA(target, into: weight)
            } else {
                let (a, b) = try matrices(target)
                // W (out,in) += s · B (out,r) · A (r,in)
                try MatMul.multiply(b, .none, a, .none, into: weight, alpha: scale(target), beta: 1)
            }
        }
        try model.weightsChanged()
        if model.adapters === self { model.adapters = nil }
    }
}
