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

    /// Writes the adapters into `directory` (created if needed; each file written atomically), with
    /// `layers_to_transform` listing the adapted layers when they are not all of the model's.
    public static func write(_ adapters: LoRAAdapters, model: CausalLM, baseModel: String, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var entries: [SafetensorsWriter.Entry] = []
        for target in adapters.targets {
            let (a, b) = try adapters.matrices(target)
            entries.append(.init(name: try tensorName(target, "A", model: model), shape: a.shape, values: .f32(a.toArray())))
            entries.append(.init(name: try tensorName(target, "B", model: model), shape: b.shape, values: .f32(b.toArray())))
        }
        try SafetensorsWriter.write(entries, metadata: ["format": "pt"], to: directory.appendingPathComponent(weightsFile))
        var config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": adapters.rank, "lora_alpha": Double(adapters.alpha),
            "lora_dropout": Double(adapters.dropout), "use_rslora": adapters.useRSLoRA, "bias": "none",
            "inference_mode": true,
            "target_modules": targetModules(adapters, model: model),
            "base_model_name_or_path": baseModel,
            // GPT-2's Conv1D stores weights (in, out); PEFT needs to know to transpose when merging.
            "fan_in_fan_out": model.config.architecture == .gpt2,
        ]
        if adapters.layers.count < model.config.layers {
            // PEFT finds the layer index after the first module list when layers_pattern is null.
            config["layers_to_transform"] = adapters.layers
            config["layers_pattern"] = NSNull()
        }
        let data = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys])
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(data, to: directory.appendingPathComponent(configFile))
        } catch {
            throw ExportError.writeFailed(path: error.path, reason: error.reason)
        }
    }

    /// Reads adapters written by `write` (or by PEFT for the same base) onto `model`, on the layers its
    /// `layers_to_transform` selects (see `PEFTLayerSelection`), scaled as `use_rslora` says; every
    /// tensor of the weights file must be one of those adapters.
    /// - Throws: `ModelError` naming the key when the config asks for an option Quench does not
    ///   implement (`PEFTAdapterOptions.unsupported`: DoRA, per-module ranks or alphas, ...).
    public static func read(from directory: URL, model: CausalLM) throws -> LoRAAdapters {
        let configURL = directory.appendingPathComponent(configFile)
        let data = try MappedFile.json(at: configURL.path)
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelError.unreadable(file: configURL.path, reason: JSONErrorText.problem(in: data) ?? "not a JSON object")
        }
        let options = try PEFTAdapterOptions.read(json, file: configURL.path)
        guard let rank = json["r"] as? Int, let alpha = (json["lora_alpha"] as? NSNumber)?.floatValue,
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
        let layers = try PEFTLayerSelection.layers(in: data, file: configURL.path, model: model)
        let adapters = try LoRAAdapters(model: model, rank: rank, alpha: alpha, useRSLoRA: options.useRSLoRA,
                                        dropout: dropout, modules: quenchModules, layers: layers, seed: 0)
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent(weightsFile))
        var expected: Set<String> = []
        for target in adapters.targets {
            let (a, b) = try adapters.matrices(target)
            for (matrix, tensor) in [("A", a), ("B", b)] {
                let name = try tensorName(target, matrix, model: model)
                try file.read(name, into: tensor.storage)
                expected.insert(name)
            }
        }
        try refuseOthers(in: file, expected: expected, layers: layers)
        return adapters
    }

    /// Refuses a tensor of `file` that is not one of the `expected` adapters: it would change what
    /// PEFT computes while Quench ignored it (an adapter on a layer `layers_to_transform` leaves out,
    /// a trained bias, a DoRA magnitude).
    private static func refuseOthers(in file: SafetensorsFile, expected: Set<String>, layers: [Int]?) throws {
        guard let name = file.tensorNames.first(where: { !expected.contains($0) }) else { return }
        let reason = PEFTAdapterOptions.unsupportedTensorReason(name) ?? layers.map {
            "is not an adapter of target_modules on the layers \($0) that adapter_config.json's layers_to_transform selects"
        } ?? "is not an adapter of target_modules in adapter_config.json"
        throw ModelError.invalidValue(file: file.url.path, key: name, reason: reason)
    }
}
