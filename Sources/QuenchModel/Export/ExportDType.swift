/// The float type an exported Hugging Face directory stores its weights in (`--dtype` of
/// `quench import` and `quench merge`).
public enum ExportDType: String, Sendable, CaseIterable {
    case bf16, f16, f32

    /// Its name in transformers (config.json's `dtype`).
    public var torchName: String {
        switch self {
        case .bf16: return "bfloat16"
        case .f16: return "float16"
        case .f32: return "float32"
        }
    }

    /// The type of a source whose tensors are stored as `storedTypes` (type name → count): F16 or
    /// BF16 when every tensor is that type or F32 (llama.cpp keeps norms and biases F32 in an F16
    /// file), F32 otherwise: an F32 source, a quantized GGUF (its dequantized values need F32), or
    /// a mix of F16 and BF16.
    public static func matching(storedTypes: [String: Int]) -> ExportDType {
        let halves = Set(storedTypes.keys).subtracting([TensorDType.f32.rawValue])
        switch halves {
        case [TensorDType.f16.rawValue]: return .f16
        case [TensorDType.bf16.rawValue]: return .bf16
        default: return .f32
        }
    }

    /// `floats` (the values of `tensor`) to be stored in this type, rounded to nearest even.
    /// - Throws: `ExportError.outOfRange` for a finite value this type cannot hold (it would be stored as infinity).
    func values(_ floats: [Float], tensor: String) throws -> SafetensorsWriter.Values {
        let infinity: UInt16
        switch self {
        case .f32: return .f32(floats)
        case .f16: infinity = 0x7C00
        case .bf16: infinity = 0x7F80
        }
        let bits = self == .f16 ? SafetensorsConversion.f16Bits : SafetensorsConversion.bf16Bits
        if let index = floats.firstIndex(where: { $0.isFinite && bits($0) & 0x7FFF == infinity }) {
            throw ExportError.outOfRange(tensor: tensor, index: index, value: floats[index], dtype: rawValue)
        }
        return self == .f16 ? .f16(floats) : .bf16(floats)
    }
}
