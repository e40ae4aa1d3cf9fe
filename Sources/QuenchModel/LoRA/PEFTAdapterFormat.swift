import Foundation
import QuenchFiles
import QuenchTensor

/// LoRA adapters in PEFT's layout: `adapter_model.safetensors` (A and B under the base model's
/// Hugging Face module names) and `adapter_config.json`, which `PeftModel.from_pretrained` loads.
public enum PEFTAdapterFormat {
    /// The adapters' tensors.
    public static let weightsFile = "adapter_model.safetensors"
    /// The adapters' settings (`LoraConfig`).
    public static let configFile = "adapter_config.json"

    /// The PEFT release whose `LoraConfig` keys and meanings `write` follows (its `peft_version` field).
    public static let peftVersion = "0.21.2"

    /// PEFT's tensor name for a target's A or B (`base_model.model.<module>.lora_A.weight`), or its DoRA
    /// magnitude (`matrix` "magnitude": `base_model.model.<module>.lora_magnitude_vector`).
    static func tensorName(_ target: LoRAAdapters.Target, _ matrix: String, model: CausalLM) throws -> String {
        let module = try LoRAAdapters.huggingFaceModule(target.parameter, model: model)
        return matrix == "magnitude" ? "base_model.model.\(module).\(PEFTAdapterOptions.magnitudeTensor)"
            : "base_model.model.\(module).lora_\(matrix).weight"
    }

    /// The adapters' tensors under PEFT's names, with each one's Quench tensor.
    private static func tensors(_ adapters: LoRAAdapters, model: CausalLM) throws -> [(name: String, tensor: Tensor)] {
        try adapters.targets.flatMap { target in
            let (a, b) = try adapters.matrices(target)
            var pairs = [(try tensorName(target, "A", model: model), a), (try tensorName(target, "B", model: model), b)]
            if adapters.useDoRA { pairs.append((try tensorName(target, "magnitude", model: model), try adapters.magnitude(target).m)) }
            return pairs
        }
    }

    /// The Hugging Face module names (`q_proj`, `c_attn`, ...) the adapters target.
    static func targetModules(_ adapters: LoRAAdapters, model: CausalLM) -> [String] {
        let names = adapters.targets.compactMap { target in
            (try? LoRAAdapters.huggingFaceModule(target.parameter, model: model))?
                .split(separator: ".").last.map(String.init)
        }
        return Array(Set(names)).sorted()
    }

    /// `adapter_config.json` as PEFT 0.21.2's `save_pretrained` writes it: every `LoraConfig` key, at its
    /// default unless the adapters set it, with `layers_to_transform` listing the adapted layers when
    /// they are not all of the model's.
    static func config(_ adapters: LoRAAdapters, model: CausalLM, baseModel: String) -> [String: Any] {
        let null = NSNull()
        var config: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "peft_version": peftVersion, "auto_mapping": null,
            "base_model_name_or_path": baseModel, "revision": null, "inference_mode": true,
            // Float32 settings as their shortest decimal (0.1, not 0.10000000149011612).
            "r": adapters.rank, "lora_alpha": ModelConfig.shortestDecimal(adapters.alpha),
            "lora_dropout": ModelConfig.shortestDecimal(adapters.dropout),
            "use_rslora": adapters.useRSLoRA, "use_dora": adapters.useDoRA,
            "rank_pattern": adapters.patterns.rank, "alpha_pattern": adapters.patterns.alpha.mapValues(ModelConfig.shortestDecimal),
            "target_modules": targetModules(adapters, model: model), "exclude_modules": null, "target_parameters": null,
            // GPT-2's Conv1D stores weights (in, out); PEFT needs to know to transpose when merging.
            "fan_in_fan_out": model.config.architecture == .gpt2,
            "bias": "none", "lora_bias": false, "modules_to_save": null, "init_lora_weights": true,
            "layers_to_transform": null, "layers_pattern": null, "layer_replication": null,
            "loftq_config": [String: Any](), "eva_config": null, "corda_config": null, "lora_ga_config": null,
            "megatron_config": null, "megatron_core": "megatron.core", "trainable_token_indices": null,
            "ensure_weight_tying": false, "use_qalora": false, "qalora_group_size": 16, "alora_invocation_tokens": null,
            "arrow_config": null, "kasa_config": null, "velora_config": null, "monteclora_config": null, "use_bdlora": null,
        ]
        if adapters.layers.count < model.config.layers {
            // PEFT finds the layer index after the first module list when layers_pattern is null.
            config["layers_to_transform"] = adapters.layers
        }
        return config
    }

    /// Writes the adapters into `directory` (created if needed; each file written atomically):
    /// `adapter_model.safetensors` and `adapter_config.json` (see `config`).
    public static func write(_ adapters: LoRAAdapters, model: CausalLM, baseModel: String, to directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let entries = try tensors(adapters, model: model).map { name, tensor in
            SafetensorsWriter.Entry(name: name, shape: tensor.shape, values: .f32(tensor.toArray()))
        }
        try SafetensorsWriter.write(entries, metadata: ["format": "pt"], to: directory.appendingPathComponent(weightsFile))
        let data = try JSONSerialization.data(withJSONObject: config(adapters, model: model, baseModel: baseModel),
                                              options: [.prettyPrinted, .sortedKeys])
        do throws(AtomicFile.Failure) {
            try AtomicFile.write(data, to: directory.appendingPathComponent(configFile))
        } catch {
            throw ExportError.writeFailed(path: error.path, reason: error.reason)
        }
    }

    /// Reads adapters written by `write` (or by PEFT for the same base) onto `model`, on the layers its
    /// `layers_to_transform` selects (see `PEFTLayerSelection`), with the ranks and alphas of
    /// `rank_pattern` and `alpha_pattern`, scaled as `use_rslora` says and with DoRA's magnitudes when
    /// `use_dora` is true; every tensor of the weights file must be one of those adapters.
    /// - Throws: `ModelError` naming the key when the config asks for an option Quench does not
    ///   implement (`PEFTAdapterOptions.unsupported`), or has patterns Quench cannot match as PEFT does.
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
        let adapters: LoRAAdapters
        do {
            adapters = try LoRAAdapters(model: model, rank: rank, alpha: alpha, useRSLoRA: options.useRSLoRA,
                                        useDoRA: options.useDoRA, dropout: dropout, modules: quenchModules,
                                        layers: layers, patterns: options.patterns, seed: 0)
        } catch let error as LoRAPatterns.Failure {
            throw ModelError.invalidValue(file: configURL.path, key: error.pattern, reason: "key '\(error.key)' \(error.reason)")
        }
        let file = try SafetensorsFile(contentsOf: directory.appendingPathComponent(weightsFile))
        var expected: Set<String> = []
        for (name, tensor) in try tensors(adapters, model: model) {
            // A shape that differs (a re-ranked or transposed matrix), named before reading; a missing tensor is
            // named by the read.
            if let info = file.info(name), info.shape != tensor.shape {
                throw ModelError.tensorShape(file: file.url.path, tensor: name, expected: tensor.shape, found: info.shape)
            }
            try file.read(name, into: tensor.storage)
            expected.insert(name)
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
