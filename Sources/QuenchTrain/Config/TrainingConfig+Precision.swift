import QuenchTensor

extension TrainingConfig {
    /// Refuses a `precision` this CPU cannot compute in (bf16 without AVX512_BF16 or AMX-BF16), so a
    /// run fails before it reads a model or data file.
    /// - Parameters:
    ///   - setting: what asked for the precision, named in the message: `precision in FILE`,
    ///     `training.precision in SPEC`, `--precision`.
    ///   - cpu: the CPU to check against (default: this machine's, honouring
    ///     `QUENCH_SIMULATE_CPU_WITHOUT_BF16`).
    /// - Throws: `TrainingConfigError.precisionUnavailable`.
    public func requirePrecisionSupport(setting: String = "precision", on cpu: CPUFeatures = .current) throws {
        do {
            try precision.requireSupport(on: cpu)
        } catch let error as TensorError {
            throw TrainingConfigError.precisionUnavailable(setting: setting, reason: error)
        }
    }
}
