import Foundation
import QuenchTensor

/// Loads a model's configuration and weights into a `CausalLM`, from a Hugging Face directory
/// (config.json + safetensors, single or sharded) or from a GGUF file.
public enum ModelLoader {
    /// Reads `config.json` and the safetensors checkpoint in `directory`.
    public static func load(huggingFaceDirectory directory: URL) throws -> CausalLM {
        try load(config: ModelConfig(huggingFaceConfig: directory.appendingPathComponent(ModelBundle.configFileName)),
                 checkpoint: SafetensorsCheckpoint(directory: directory))
    }

    /// The model `config` describes, its weights read from the opened `checkpoint`.
    /// Errors name config.json for its keys and, for a tensor, the full path of the safetensors file
    /// holding it (the checkpoint folder when no file does).
    static func load(config: ModelConfig, checkpoint: SafetensorsCheckpoint) throws -> CausalLM {
        let configFile = checkpoint.directory.appendingPathComponent(ModelBundle.configFileName).path
        func file(holding tensor: String) -> String {
            checkpoint.file(containing: tensor)?.url.path ?? checkpoint.directory.path
        }
        try requireStoredTensors(of: config, in: configFile, layersKey: config.architecture == .gpt2 ? "n_layer" : "num_hidden_layers",
                                 storedNames: checkpoint.tensorNames, weights: checkpoint.directory.path,
                                 tensorFile: file(holding:), ignored: { transformersIgnores($0, config) }) { spec in
            (spec.huggingFaceName, HuggingFaceLayout.storedShape(spec), checkpoint.info(spec.huggingFaceName)?.shape)
        }
        let model = try CausalLM(config: config)
        for spec in model.specs {
            let tensor = try model.parameter(spec.name)
            if spec.transposedInHuggingFace {
                let stored = try Tensor(zeros: HuggingFaceLayout.storedShape(spec))
                try checkpoint.read(spec.huggingFaceName, into: stored.storage)
                HuggingFaceLayout.fromHuggingFace(UnsafeBufferPointer(stored.storage), into: tensor, spec: spec)
            } else {
                try checkpoint.read(spec.huggingFaceName, into: tensor.storage)
            }
            try requireFinite(tensor, name: spec.huggingFaceName, file: file(holding: spec.huggingFaceName))
        }
        try requireTiedHeadIsEmbedding(model, checkpoint, file: file(holding:))
        return model
    }

    /// The Hugging Face name of the head weight of an untied model.
    static let headTensor = "lm_head.weight"

    /// Stored tensors transformers 5.25 loads without using, whatever they hold: the rotary `inv_freq`
    /// buffers older checkpoints saved (recomputed from the config); GPT-2's `h.N.attn.bias` causal
    /// mask (GPT2PreTrainedModel's `_keys_to_ignore_on_load_unexpected`) and `h.N.attn.masked_bias`
    /// fill value, buffers older transformers saved and the current model no longer has; and a tied
    /// model's head, which is the embedding (checked equal by `requireTiedHeadIsEmbedding`).
    static func transformersIgnores(_ name: String, _ config: ModelConfig) -> Bool {
        if config.architecture == .gpt2, name.hasSuffix(".attn.bias") || name.hasSuffix(".attn.masked_bias") { return true }
        return name.hasSuffix(".rotary_emb.inv_freq") || (config.tiedEmbeddings && name == headTensor)
    }

    /// Refuses a tied model whose checkpoint also stores a head that differs from the embedding:
    /// transformers would ignore that head, but it says the model was trained untied.
    static func requireTiedHeadIsEmbedding(_ model: CausalLM, _ checkpoint: SafetensorsCheckpoint,
                                           file: (String) -> String) throws {
        guard model.config.tiedEmbeddings, checkpoint.tensorNames.contains(headTensor) else { return }
        let embed = try model.parameter("embed")
        let reason = "tie_word_embeddings is true, so the head is model.embed_tokens.weight, but this tensor differs "
            + "from it; set tie_word_embeddings to false to use it, or remove it"
        guard checkpoint.info(headTensor)?.shape == embed.shape else {
            throw ModelError.unreadTensor(file: file(headTensor), tensor: headTensor, reason: reason)
        }
        let head = try Tensor(zeros: embed.shape)
        try checkpoint.read(headTensor, into: head.storage)
        guard head.toArray() == embed.toArray() else {
            throw ModelError.unreadTensor(file: file(headTensor), tensor: headTensor, reason: reason)
        }
    }

    /// Checks that the weights hold every parameter of `config` with its exact shape before the
    /// model's memory is allocated, so sizes in a config or metadata can never allocate more than the
    /// files hold, and nothing else but what `ignored` accepts: a tensor Quench would not read (an
    /// o_proj bias of a config without attention_bias) means the model computes something else.
    /// `stored` gives a parameter's name in the file, the shape it must have there, and the shape it
    /// has (nil when absent). `file` holds the config's keys; `weights` (default `file`) names the
    /// weights in the layer count's error, `tensorFile` (default `file`) the file of a tensor.
    static func requireStoredTensors(
        of config: ModelConfig, in file: String, layersKey: String, storedNames: [String],
        weights: String? = nil, tensorFile: ((String) -> String)? = nil, ignored: (String) -> Bool = { _ in false },
        stored: (ParameterSpec) -> (name: String, expected: [Int], found: [Int]?)
    ) throws {
        // Every layer has tensors of its own: checked first, as the table grows with the layer count.
        guard config.layers <= storedNames.count else {
            throw ModelError.invalidValue(
                file: file, key: layersKey,
                reason: "\(config.layers) layers, but \(weights ?? "the file") holds only \(storedNames.count) tensors")
        }
        var read = Set<String>()
        for spec in ParameterTable.specs(for: config) {
            let (name, expected, found) = stored(spec)
            let holder = tensorFile?(name) ?? file
            guard let found else { throw ModelError.missingTensor(file: holder, tensor: name) }
            guard found == expected else {
                throw ModelError.tensorShape(file: holder, tensor: name, expected: expected, found: found)
            }
            read.insert(name)
        }
        if case .frequencyDivisors = config.ropeScaling { read.insert(RopeScaling.ggufTensor) }
        if let unread = storedNames.filter({ !read.contains($0) && !ignored($0) }).sorted().first {
            throw ModelError.unreadTensor(
                file: tensorFile?(unread) ?? file, tensor: unread,
                reason: "Quench would compute without it; \(file) describes a \(config.modelType) model that has "
                    + "no such weight (a bias or scaling the configuration does not declare?)")
        }
    }

    /// Throws naming the first NaN or infinity in `tensor`.
    static func requireFinite(_ tensor: Tensor, name: String, file: String) throws {
        let p = tensor.pointer
        for i in 0..<tensor.count where !p[i].isFinite {
            throw ModelError.nonFinite(file: file, tensor: name, index: i)
        }
    }
}
