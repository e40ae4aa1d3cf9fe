import Foundation
import QuenchFiles
import QuenchTensor

/// LoRA adapters in PEFT's layout: `adapter_model.safetensors` (A and B under the base model's
/// Hugging Face module names) and `adapter_config.json`, which `PeftModel.from_pretrained` loads.
public enum PEFTAdapterFormat {
    public static let weightsFile = "adapter_model.safetensors"
    public static let configFile = "adapter_config.json"

    /// PEFT's tensor name for a target's A or B: `base_model.model.<module>.lora_A.weight`.
    static func tensorName(_ target: LoRAAdapters.Target, _ matrix: String, model: CausalLM) throws -> String {
        guard let spec = model.specs.first(where: { $0.name == target.parameter }) else {
            throw TensorError.unknownTensor(name: target.parameter)
        }
        let module = spec.huggingFaceName.replacingOccurrences(of: ".weight", with: "")
        return "base_model.model.\(module).lora_\(matrix).weight"
    }

    /// The Hugging Face module names (`q_proj`, `c_attn`, ...) the adapters target.
    static func targetModules(_ adapters: LoRAAdapters, model: CausalLM) -> [String] {
        let names = adapters.targets.compactMap { target in
            model.specs.first { $0.name == target.parameter }?.huggingFaceName
                .replacingOccurrences(of: ".weight", with: "").split(separator: ".").last.map(String.init)
        }
        return Array(Set(names)).sorted()
    }

    /// Writes the adapters into `directory` (created if needed; each file written atomically).
    public static func write(_ adapters: LoRAAdapters, model: CausalLM, baseModel: String, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var entries: [SafetensorsWriter.Entry] = []
        for target in adapters.targets {
            let (a, b) = try adapters.matrices(target)
            entries.append(.init(name: try tensorName(target, "A", model: model), shape: a.shape, values: .f32(a.toArray())))
            entries.append(.init(name: try tensorName(target, "B", model: model), shape: b.shape, values: .f32(b.toArray())))
        }
        try SafetensorsWriter.write(entries, metadata: ["format": "pt"], to: directory.appendingPathComponent(weightsFile))
        let config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": adapters.rank, "lora_alpha": Double(adapters.alpha),
            "lora_dropout": Double(adapters.dropout), "bias": "none", "inference_mode": true,
            "target_modules": targetModules(adapters, model: model),
            "base_model_name_or_path": baseModel,
            // GPT-2's Conv1D stores weights (in, out); PEFT needs to know to transpose when merging.
            "fan_in_fan_out": model.config.architecture == .gpt2,
        ]
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(data, to: directory.appendingPathComponent(configFile))
        } catch {
            throw ExportError.writeFailed(path: error.path, reason: error.reason)
        }
    }

    /// Reads adapters written by `write` (or by PEFT for the same base) onto `model`.
    public static func read(from directory: URL, model: CausalLM) throws -> LoRAAdapters {
        let configURL = directory.appendingPathComponent(configFile)
        let data = try MappedFile.json(at: configURL.path)
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let rank = json["r"] as? Int, let alpha = (json["lora_alpha"] as? NSNumber)?.floatValue,
              let modules = json["target_modules"] as? [String] else {
            throw ModelError.invalidValue(file: configURL.path, key: "r, lora_alpha, target_modules",
                                          reason: "missing or of the wrong type")
        }
        // A PEFT module name matches every projection whose Hugging Face name ends with it
        // (GPT-2's `c_proj` is both the attention output and the MLP output).
        var quenchModules: [String] = []
        for module in modules {
            let matches = Set(model.specs.filter { $0.huggingFaceName.hasSuffix(".\(module).weight") }
                .compactMap { $0.name.split(separator: ".").last.map(String.init) })
            guard !matches.isEmpty else {
                throw ModelError.invalidValue(file: configURL.path, key: "target_modules",
                                              reason: "'\(module)' is not a projection of this model")
            }
            quenchModules += matches.sorted()
        }
        let dropout = (json["lora_dropout"] as? NSNumber)?.floatValue ?? 0
        let adapters = try LoRAAdapters(model: model, rank: rank, alpha: alpha, dropout: dropout, modules: quenchModules, seed: 0)
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent(weightsFile))
        for target in adapters.targets {
            let (a, b) = try adapters.matrices(target)
            try file.read(try tensorName(target, "A", model: model), into: a.storage)
            try file.read(try tensorName(target, "B", model: model), into: b.storage)
        }
        return adapters
    }
}
