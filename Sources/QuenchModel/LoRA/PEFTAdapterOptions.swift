import Foundation

/// The options of a PEFT `adapter_config.json` beyond rank, alpha, dropout, target modules and layers,
/// read as PEFT 0.21 reads them: `use_rslora`, `use_dora`, `rank_pattern` and `alpha_pattern`, which Quench
/// implements, and every other option that makes PEFT compute something else than plain LoRA, which Quench
/// refuses by name rather than ignores.
///
/// Passed without a word, because they do not change what the adapter computes once saved: the
/// initialisation options (`init_lora_weights`, `loftq_config`, `eva_config`, `corda_config`,
/// `lora_ga_config`), `megatron_config` (Megatron's parallel layers, not in a Hugging Face model) and
/// `fan_in_fan_out`, which PEFT sets from the layer type whatever the file says (false for `nn.Linear`,
/// true for GPT-2's `Conv1D`; `dispatch_default`), as Quench does from the architecture.
struct PEFTAdapterOptions {
    /// Scale the adapters by alpha/√r (rsLoRA) instead of alpha/r.
    let useRSLoRA: Bool
    /// Weight-decomposed LoRA, with a `lora_magnitude_vector` per adapted module.
    let useDoRA: Bool
    /// Per-module ranks and alphas.
    let patterns: LoRAPatterns

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

    /// What Quench reads, for the messages that refuse the rest.
    static let supported = "it reads LoRA adapters (plain, rsLoRA, DoRA, per-module ranks and alphas) only"

    /// Adapter tensors PEFT writes only for an unsupported option, by a part of their name: the
    /// message when one turns up while `adapter_config.json` does not ask for it.
    static let unsupportedTensors: [(namePart: String, feature: String)] = [
        (".lora_B.bias", "a bias on lora_B (lora_bias)"),
    ]

    /// The part of the name of a DoRA magnitude tensor.
    static let magnitudeTensor = "lora_magnitude_vector"

    /// The options of the parsed `adapter_config.json` `json` (the file `file`).
    /// - Throws: `ModelError.invalidValue` naming the first unsupported option that is set, or a pattern
    ///   key Quench cannot match as PEFT does; `ModelError.wrongType` when `use_rslora` or `use_dora` is not
    ///   true, false or null, or a pattern is not a mapping of module names to numbers.
    static func read(_ json: [String: Any], file: String) throws -> PEFTAdapterOptions {
        for option in unsupported {
            guard let value = json[option.key], !option.isPlainLoRA(value) else { continue }
            throw ModelError.invalidValue(
                file: file, key: option.key,
                reason: "is \(shown(value)): \(option.feature) is not implemented by Quench yet; "
                    + supported)
        }
        let patterns = LoRAPatterns(
            rank: try pattern("rank_pattern", in: json, file: file) { Int(exactly: $0) },
            alpha: try pattern("alpha_pattern", in: json, file: file) { Float($0) })
        do throws(LoRAPatterns.Failure) {
            try patterns.validate()
        } catch {
            throw ModelError.invalidValue(file: file, key: error.pattern, reason: "key '\(error.key)' \(error.reason)")
        }
        return PEFTAdapterOptions(useRSLoRA: try flag("use_rslora", in: json, file: file),
                                  useDoRA: try flag("use_dora", in: json, file: file), patterns: patterns)
    }

    /// A boolean option: absent or null is false.
    private static func flag(_ key: String, in json: [String: Any], file: String) throws -> Bool {
        switch json[key] {
        case nil, is NSNull: return false
        case let flag as Bool: return flag
        default: throw ModelError.wrongType(file: file, key: key, expected: "true, false or null")
        }
    }

    /// A mapping of module names to numbers (`rank_pattern`, `alpha_pattern`): absent or null is empty.
    private static func pattern<Value>(_ key: String, in json: [String: Any], file: String,
                                       _ convert: (Double) -> Value?) throws -> [String: Value] {
        guard let value = json[key], !(value is NSNull) else { return [:] }
        let expected = "a mapping of module names to \(key == "rank_pattern" ? "integers" : "numbers")"
        guard let mapping = value as? [String: Any] else {
            throw ModelError.wrongType(file: file, key: key, expected: expected)
        }
        var result: [String: Value] = [:]
        for name in mapping.keys.sorted() {
            guard let number = mapping[name] as? NSNumber, let converted = convert(number.doubleValue) else {
                throw ModelError.wrongType(file: file, key: "\(key).\(name)", expected: expected)
            }
            result[name] = converted
        }
        return result
    }

    /// Why the adapter tensor `name` cannot be read, when it belongs to an option the config does not
    /// set (DoRA) or Quench does not implement.
    static func unsupportedTensorReason(_ name: String) -> String? {
        if name.contains(magnitudeTensor) {
            return "is a DoRA magnitude vector, but adapter_config.json's use_dora is not true, so PEFT would not use it"
        }
        return unsupportedTensors.first { name.contains($0.namePart) }.map {
            "is \($0.feature), which Quench does not implement yet; \(supported)"
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
