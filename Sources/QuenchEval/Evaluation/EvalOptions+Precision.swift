import QuenchTensor

extension EvalOptions {
    /// Refuses a `precision` this CPU cannot compute in (bf16 without AVX512_BF16 or AMX-BF16) before
    /// any model is read.
    /// - Parameter setting: what asked for the precision, named in the message (`--precision`).
    /// - Throws: `EvalError.invalidSetting` with `TensorError.precisionUnavailable`'s message.
    public func requirePrecisionSupport(setting: String = "precision", on cpu: CPUFeatures = .current) throws {
        do {
            try precision.requireSupport(on: cpu)
        } catch let error as TensorError {
            throw EvalError.invalidSetting(key: setting, reason: error.description)
        }
    }
}
