import QuenchTensor

/// The precision of the model's matrix products.
///
/// In bf16 the projections (q|k|v, o, gate|up, down, GPT-2's fc and proj) and the language-model head
/// take bf16 inputs and accumulate in fp32 (PyTorch CPU autocast's `linear`); the parameters stay fp32
/// masters with a bf16 copy the products read. Attention's per-head products, norms, softmax, RoPE,
/// the loss, the LoRA adapters' rank-r products and the optimizer stay fp32.
extension CausalLM {
    /// The precision products run in.
    public var precision: Precision { engine.precision }

    /// Switches the products to `precision`. Call it once the parameters are loaded.
    /// - Throws: `TensorError.precisionUnavailable` on a CPU without bf16 arithmetic.
    public func setPrecision(_ precision: Precision) throws {
        guard precision != self.precision else { return }
        guard precision == .bf16 else {
            engine = .fp32
            return
        }
        let engine = try MatrixEngine(precision: precision)
        try engine.shadow(parameters)
        self.engine = engine
    }

    /// Brings the bf16 copy of the weights up to date after their fp32 values changed (every optimizer
    /// step, a merge); nothing to do in fp32.
    public func weightsChanged() throws {
        try engine.refreshShadow()
    }
}
