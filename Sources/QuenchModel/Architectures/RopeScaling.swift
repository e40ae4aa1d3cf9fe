import Foundation
import QuenchTensor

/// A RoPE frequency scaling Quench computes exactly as transformers 5.25 does
/// (`modeling_rope_utils`: `_compute_linear_scaling_rope_parameters`, `_compute_llama3_parameters`).
/// Both leave transformers' attention scaling at 1, so only the inverse frequencies change.
/// Encoded (as in `quench inspect --json`) with transformers' `rope_parameters` names (`RopeScaling+Coding`).
public enum RopeScaling: Codable, Sendable, Equatable {
    /// `rope_type: linear`: every inverse frequency divided by `factor`.
    case linear(factor: Double)
    /// `rope_type: llama3`: low frequencies divided by `factor`, high ones kept, those between
    /// interpolated; wavelengths measured against `originalContext` tokens.
    case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Int)
    /// A GGUF file's `rope_freqs.weight`: inverse frequency i divided by `divisors[i]`, as llama.cpp
    /// applies it (convert_hf_to_gguf writes llama3 scaling this way).
    case frequencyDivisors([Float])

    /// The GGUF tensor holding `frequencyDivisors`.
    public static let ggufTensor = "rope_freqs.weight"

    /// Whether a factor read from a file can scale the frequencies: finite and above 0 once rounded
    /// to float32, where they are computed (1e-50 is 0 there, and dividing by it gives infinities).
    static func isUsableFactor(_ value: Double) -> Bool {
        let rounded = Float(value)
        return rounded.isFinite && rounded > 0
    }

    /// Why a factor `isUsableFactor` refuses is refused.
    static func unusableFactorReason(_ value: Double) -> String {
        "\(value) must be a finite number greater than 0 in float32, in which Quench computes RoPE"
    }

    /// transformers' `rope_type` name.
    public var typeName: String {
        switch self {
        case .linear: "linear"
        case .llama3: "llama3"
        case .frequencyDivisors: "rope_freqs"
        }
    }

    /// `inverseFrequencies` scaled, each step rounded to float32 where PyTorch rounds it
    /// (`c / t` on a tensor is `t.reciprocal() * c` there).
    func scaled(_ inverseFrequencies: [Float]) -> [Float] {
        switch self {
        case .linear(let factor):
            return inverseFrequencies.map { $0 / Float(factor) }
        case let .llama3(factor, low, high, context):
            let (f, lowF, highF, old) = (Float(factor), Float(low), Float(high), Float(context))
            let lowWavelength = Float(Double(context) / low), highWavelength = Float(Double(context) / high)
            let band = Float(high - low)
            return inverseFrequencies.map { frequency in
                let wavelength = (1 / frequency) * Float(2 * Double.pi)
                if wavelength > lowWavelength { return frequency / f }
                if wavelength < highWavelength { return frequency }
                let smooth = ((1 / wavelength) * old - lowF) / band
                return (1 - smooth) * frequency / f + smooth * frequency
            }
        case .frequencyDivisors(let divisors):
            return zip(inverseFrequencies, divisors).map { $0 / $1 }
        }
    }

    /// The `rope_parameters` object transformers 5 reads back to this scaling, with `theta`.
    /// - Throws: for GGUF frequency divisors, which no transformers `rope_type` expresses.
    func huggingFaceJSON(theta: Double) throws -> [String: Any] {
        switch self {
        case .frequencyDivisors:
            throw ModelError.invalidValue(
                file: "config.json", key: "rope_parameters",
                reason: "the source's \(Self.ggufTensor) frequency divisors have no transformers rope_type; export as GGUF")
        case .linear(let factor):
            return ["rope_type": "linear", "factor": factor, "rope_theta": theta]
        case let .llama3(factor, low, high, context):
            return ["rope_type": "llama3", "factor": factor, "low_freq_factor": low, "high_freq_factor": high,
                    "original_max_position_embeddings": context, "rope_theta": theta]
        }
    }
}

extension ModelConfig {
    /// The rotary inverse frequencies of a Llama-family model: base^(−2i/HS) for i < HS/2, rounded as
    /// transformers rounds them, then scaled by `ropeScaling`.
    func rotaryInverseFrequencies() -> [Float] {
        let plain = RotaryEmbedding.inverseFrequencies(headSize: headSize, theta: ropeTheta)
        return ropeScaling?.scaled(plain) ?? plain
    }

    /// The `{arch}.rope.*` metadata llama.cpp reads for `ropeScaling` in a GGUF file of architecture
    /// `arch`: `rope.scaling.type linear` and its factor for linear scaling, else none.
    public func ggufRopeScalingMetadata(architecture arch: String) -> [(String, GGUFValue)] {
        guard case .linear(let factor) = ropeScaling else { return [] }
        return [("\(arch).rope.scaling.type", .string("linear")), ("\(arch).rope.scaling.factor", .float32(Float(factor)))]
    }

    /// The `rope_freqs.weight` llama.cpp divides the inverse frequencies by, for scalings other than
    /// linear (llama3, or divisors read from GGUF); nil when there is none.
    public func ggufRopeDivisors() -> [Float]? {
        switch ropeScaling {
        case nil, .linear: return nil
        case .frequencyDivisors(let divisors): return divisors
        case .llama3:
            let plain = RotaryEmbedding.inverseFrequencies(headSize: headSize, theta: ropeTheta)
            return zip(plain, rotaryInverseFrequencies()).map { $0 / $1 }
        }
    }
}
