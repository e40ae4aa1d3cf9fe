import Foundation
import QuenchTensor

extension ModelLoader {
    /// Reads the configuration and dequantizes every weight of a GGUF file. For `llama`-family files
    /// the rows of the q and k projections are put back in Hugging Face's order (llama.cpp permutes
    /// them for its rotary layout).
    public static func load(gguf url: URL) throws -> CausalLM {
        try load(gguf: GGUFFile(contentsOf: url), file: url.lastPathComponent)
    }

    /// Loads the weights of an opened GGUF file (`file` names it in errors).
    static func load(gguf: GGUFFile, file: String) throws -> CausalLM {
        let config = try ModelConfig(gguf: gguf, file: file)
        try requireStoredTensors(of: config, in: file, layersKey: "\(config.modelType).block_count",
                                 storedNames: gguf.tensors.map(\.name)) { spec in
            (spec.ggufName, spec.shape, gguf.tensor(spec.ggufName)?.shape)
        }
        let model = try CausalLM(config: config)
        for spec in model.specs {
            let tensor = try model.parameter(spec.name)
            try gguf.dequantize(spec.ggufName, into: tensor.storage)
            if config.architecture == .llama, let heads = permutedHeads(spec.name, config) {
                try LlamaRotaryPermutation.toHuggingFace(tensor.storage, rows: spec.shape[0],
                                                         columns: spec.shape.count > 1 ? spec.shape[1] : 1, heads: heads)
            }
            try requireFinite(tensor, name: spec.ggufName, file: file)
        }
        return model
    }

    /// Heads whose rows llama.cpp permuted in parameter `name` (q and k weights and biases), or nil.
    /// None for qwen2: llama.cpp rotates its halves (NEOX) as Hugging Face does, so its converter keeps the rows.
    static func permutedHeads(_ name: String, _ config: ModelConfig) -> Int? {
        guard config.modelType != "qwen2" else { return nil }
        if name.hasSuffix(".q") || name.hasSuffix(".q_bias") { return config.heads }
        if name.hasSuffix(".k") || name.hasSuffix(".k_bias") { return config.keyValueHeads }
        return nil
    }
}
