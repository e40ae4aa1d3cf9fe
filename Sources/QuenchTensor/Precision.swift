/// The number format of matrix-product inputs.
///
/// `fp32` computes everything in single precision (reproducible on every CPU; the gate's reference
/// numbers). `bf16` is mixed precision as PyTorch's CPU autocast does it: GEMM inputs rounded to
/// bfloat16 with fp32 accumulation and output; master weights, optimizer state, norms, softmax, RoPE,
/// the loss and every reduction stay fp32.
public enum Precision: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case fp32
    case bf16

    public var description: String { rawValue }

    /// Throws `TensorError.precisionUnavailable` when this CPU cannot compute in this precision at
    /// speed (bf16 needs AVX512_BF16 or AMX-BF16).
    public func requireSupport(on cpu: CPUFeatures = .current) throws {
        guard self == .bf16, !cpu.hasBF16Arithmetic else { return }
        throw TensorError.precisionUnavailable(
            precision: rawValue,
            detail: "this CPU has neither AVX512_BF16 nor AMX-BF16 (\(cpu.source)); bf16 products would be "
                + "emulated and slower than fp32. Use precision: fp32 (the default)")
    }
}
