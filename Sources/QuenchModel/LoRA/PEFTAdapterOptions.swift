import Foundation

/// The options of a PEFT `adapter_config.json` beyond rank, alpha, dropout, target modules and layers,
/// read as PEFT 0.21 reads them: `use_rslora`, which Quench implements, and every option that makes PEFT
/// compute something else than plain LoRA, which Quench refuses by name rather than ignores.
///
/// Passed without a word, because they do not change what the adapter computes once saved: the
/// initialisation options (`init_lora_weights`, `loftq_config`, `eva_config`, `corda_config`,
/// `lora_ga_config`), `megatron_config` (Megatron's parallel layers, not in a Hugging Face model) and
/// `fan_in_fan_out`, which PEFT sets from the layer type whatever the file says (false for `nn.Linear`,
/// true for GPT-2's `Conv1D`; `dispatch_default`), as Quench does from the architecture.
struct PEFTAdapterOptions {
    /// Scale the adapters by alpha/√r (rsLoRA) instead of alpha/r.
    let useRSLoRA: Bool

    /// An option Quench does not implement: its key, what PEFT computes with it, and whether a value
    /// leaves the adapter plain LoRA.
    struct Unsupported {
        let key: String
        let feature: String
        let isPlainLoRA: @Sendable (Any) -> Bool

        /// An option PEFT turns on when its value is true in Python (`if config.use_dora:`), so absent,
        /// null, false, 0, "", [] and {} all mean plain LoRA.
        static func off(_ key: String, _ feature: String) -> Unsupported {
            Unsupported(key: key, feature: feature) { !PEFTAdapterOptions.isTruthy($0) }
        }

        /// An option that means plain LoRA at one string value only.
        static func equal(_ key: String, _ plain: String, _ feature: String) -> Unsupported {
            Unsupported(key: key, feature: feature) { ($0 as? String) == plain }
        }
    }

    /// Every option of PEFT 0.21's `LoraConfig` that changes the computation and Quench does not implement.
    static let unsupported: [Unsupported] = [
        .equal("peft_type", "LORA", "an adapter type other than LoRA"),
        .off("use_dora", "DoRA (weight-decomposed LoRA, with lora_magnitude_vector tensors)"),
        .off("alpha_pattern", "a per-module lora_alpha"),
        .off("rank_pattern", "a per-module rank r"),
        .off("modules_to_save", "whole modules trained and saved beside the adapters"),
        .equal("bias", "none", "trained biases of the base model"),
        .off("lora_bias", "a bias on lora_B"),
        .off("target_parameters", "LoRA on parameters instead of linear modules"),
        .off("exclude_modules", "modules excluded from target_modules"),
        .off("layer_replication", "replicated decoder layers"),
        .off("trainable_token_indices", "trained rows of the token embedding"),
        .off("use_qalora", "QA-LoRA (pooled adapter inputs)"),
        .off("alora_invocation_tokens", "Activated LoRA (adapters applied from the invocation tokens on)"),
        .off("velora_config", "VeLoRA"),
        .off("monteclora_config", "MonteCLoRA (sampled adapters)"),
        .off("use_bdlora", "BD-LoRA (block-diagonal adapters)"),
        .off("arrow_config", "Arrow routing between adapters"),
        .off("kasa_config", "KaSA (singular-value adaptation)"),
    ]

    /// Adapter tensors PEFT writes only for an unsupported option, by a part of their name: the
    /// message when one turns up while `adapter_config.json` does not ask for it.
    static let unsupportedTensors: [(namePart: String, feature: String)] = [
        ("lora_magnitude_vector", "a DoRA magnitude vector (use_dora)"),
        (".lora_B.bias", "a bias on lora_B (lora_bias)"),
    ]

    /// The options of the parsed `adapter_config.json` `json` (the file `file`).
    /// - Throws: `ModelError.invalidValue` naming the first unsupported option that is set, and
    ///   `ModelError.wrongType` when `use_rslora` is not true, false or null.
    static func read(_ json: [String: Any], file: String) throws -> PEFTAdapterOptions {
        for option in unsupported {
            guard let value = json[option.key], !option.isPlainLoRA(value) else { continue }
            throw ModelError.invalidValue(
                file: file, key: option.key,
                reason: "is \(shown(value)): \(option.feature) is not implemented by Quench yet; "
                    + "it reads plain LoRA and rsLoRA adapters only")
        }
        switch json["use_rslora"] {
        case nil, is NSNull:
            return PEFTAdapterOptions(useRSLoRA: false)
        case let flag as Bool:
            return PEFTAdapterOptions(useRSLoRA: flag)
        default:
            throw ModelError.wrongType(file: file, key: "use_rslora", expected: "true, false or null")
        }
    }

    /// Why the adapter tensor `name` cannot be read, when it belongs to an unsupported option.
    static func unsupportedTensorReason(_ name: String) -> String? {
        unsupportedTensors.first { name.contains($0.namePart) }.map {
            "is \($0.feature), which Quench does not implement yet; it reads plain LoRA and rsLoRA adapters only"
        }
    }

    /// Python's truth value of a JSON value, which is how PEFT tests most options.
    static func isTruthy(_ value: Any) -> Bool {
        switch value {
        case is NSNull: return false
        case let flag as Bool: return flag
        case let text as String: return !text.isEmpty
        case let list as [Any]: return !list.isEmpty
        case let object as [String: Any]: return !object.isEmpty
        case let number as NSNumber: return number.doubleValue != 0
        default: return true
        }
    }

    /// A value as the file spells it, cut to a readable length.
    static func shown(_ value: Any) -> String {
        let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys])
        let text = data.map { String(decoding: $0, as: UTF8.self) } ?? "set"
        return text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }
}
