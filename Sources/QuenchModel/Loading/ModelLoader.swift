import Foundation
import QuenchTensor

/// Loads a model's configuration and weights into a `CausalLM`, from a Hugging Face directory
/// (config.json + safetensors, single or sharded) or from a GGUF file.
public enum ModelLoader {
    /// Reads `config.json` and the safetensors checkpoint in `directory`.
    public static func load(huggingFaceDirectory directory: URL) throws -> CausalLM {
        let config = try ModelConfig(huggingFaceConfig: directory.appendingPathComponent("config.json"))
        let checkpoint = try SafetensorsCheckpoint(directory: directory)
        let model = try CausalLM(config: config)
        for spec in model.specs {
            let file = directory.lastPathComponent
            guard let info = checkpoint.info(spec.huggingFaceName) else {
                throw ModelError.missingTensor(file: file, tensor: spec.huggingFaceName)
            }
            let expected = HuggingFaceLayout.storedShape(spec)
            guard info.shape == expected else {
                throw ModelError.tensorShape(file: file, tensor: spec.huggingFaceName, expected: expected, found: info.shape)
            }
            let tensor = try model.parameter(spec.name)
            if spec.transposedInHuggingFace {
                let stored = try Tensor(zeros: expected)
                try checkpoint.read(spec.huggingFaceName, into: stored.storage)
                HuggingFaceLayout.fromHuggingFace(UnsafeBufferPointer(stored.storage), into: tensor, spec: spec)
            } else {
                try checkpoint.read(spec.huggingFaceName, into: tensor.storage)
            }
            try requireFinite(tensor, name: spec.huggingFaceName, file: file)
        }
        return model
    }

    /// Throws naming the first NaN or infinity in `tensor`.
    static func requireFinite(_ tensor: Tensor, name: String, file: String) throws {
        let p = tensor.pointer
        for i in 0..<tensor.count where !p[i].isFinite {
            throw ModelError.nonFinite(file: file, tensor: name, index: i)
        }
    }
}
