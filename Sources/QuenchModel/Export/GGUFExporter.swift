import Foundation

/// Writes a model as a GGUF file (F32, or F16 with norms and biases kept F32) with the metadata and
/// tensor names llama.cpp expects, so a model Quench trained runs there. The source's `general.*`
/// description and tokenizer settings are kept (`ModelSourceMetadata`).
public enum GGUFExporter {
    public static func write(_ bundle: ModelBundle, to url: URL, type: GGUFWriter.ElementType) throws {
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw ExportError.destinationExists(path: url.path)
        }
        let model = bundle.model, config = model.config
        var tensors: [GGUFWriter.Tensor] = []
        for spec in model.specs {
            var values = try model.parameter(spec.name).toArray()
            if config.architecture == .llama, let heads = ModelLoader.permutedHeads(spec.name, config) {
                try values.withUnsafeMutableBufferPointer { buffer in
                    try LlamaRotaryPermutation.toGGUF(buffer, rows: spec.shape[0],
                                                      columns: spec.shape.count > 1 ? spec.shape[1] : 1, heads: heads)
                }
            }
            // llama.cpp keeps 1-D tensors (norms, biases) in F32 whatever the file type.
            let elementType: GGUFWriter.ElementType = spec.shape.count == 1 ? .f32 : type
            tensors.append(GGUFWriter.Tensor(name: spec.ggufName, shape: spec.shape, type: elementType, values: values))
        }
        if let divisors = config.ggufRopeDivisors() {
            tensors.append(GGUFWriter.Tensor(name: RopeScaling.ggufTensor, shape: [divisors.count], type: .f32,
                                             values: divisors))
        }
        try GGUFWriter.write(metadata: try metadata(bundle, type: type), tensors: tensors, to: url)
    }

    /// general.* (the source's, else a name from its file name), the architecture's
    /// hyperparameters, and tokenizer.ggml.*.
    /// - Throws: `ModelError.wrongType` naming the source when its general.name is not a string,
    ///   which llama.cpp would refuse in the export as it does in the source.
    static func metadata(_ bundle: ModelBundle, type: GGUFWriter.ElementType) throws -> [(String, GGUFValue)] {
        let config = bundle.model.config, source = bundle.source
        let arch = config.architecture == .gpt2 ? "gpt2" : (config.modelType == "qwen2" ? "qwen2" : "llama")
        var entries: [(String, GGUFValue)] = [("general.architecture", .string(arch))]
        entries += source.general.map { ($0.key, $0.value) }
        if let name = source.general.first(where: { $0.key == "general.name" }) {
            guard name.value.string != nil else {
                throw ModelError.wrongType(file: bundle.location.path, key: name.key,
                                           expected: "a string, as llama.cpp reads it (it would refuse the export)")
            }
        } else {
            entries.append(("general.name", .string(bundle.location.deletingPathExtension().lastPathComponent)))
        }
        entries += [
            ("general.file_type", .uint32(type == .f32 ? 0 : 1)),
            ("\(arch).context_length", .uint32(UInt32(config.maxPositions))),
            ("\(arch).embedding_length", .uint32(UInt32(config.hiddenSize))),
            ("\(arch).block_count", .uint32(UInt32(config.layers))),
            ("\(arch).feed_forward_length", .uint32(UInt32(config.intermediateSize))),
            ("\(arch).attention.head_count", .uint32(UInt32(config.heads))),
        ]
        switch config.architecture {
        case .llama:
            entries += [
                ("\(arch).attention.head_count_kv", .uint32(UInt32(config.keyValueHeads))),
                ("\(arch).attention.layer_norm_rms_epsilon", .float32(config.normEpsilon)),
                ("\(arch).rope.freq_base", .float32(Float(config.ropeTheta))),
                ("\(arch).rope.dimension_count", .uint32(UInt32(config.headSize))),
                ("\(arch).vocab_size", .uint32(UInt32(config.vocabularySize))),
            ]
            // llama.cpp takes the head size as embedding_length / head_count unless these say otherwise.
            if config.heads * config.headSize != config.hiddenSize {
                entries += [("\(arch).attention.key_length", .uint32(UInt32(config.headSize))),
                            ("\(arch).attention.value_length", .uint32(UInt32(config.headSize)))]
            }
            entries += config.ggufRopeScalingMetadata(architecture: arch)
        case .gpt2:
            entries.append(("\(arch).attention.layer_norm_epsilon", .float32(config.normEpsilon)))
        }
        if let tokenizer = bundle.tokenizer {
            entries += [
                ("tokenizer.ggml.model", .string("gpt2")),
                ("tokenizer.ggml.pre", .string(tokenizer.preTokenizer.ggufName)),
                ("tokenizer.ggml.tokens", .array(tokenizer.vocabulary.map { .string($0) })),
                ("tokenizer.ggml.token_type", .array(tokenizer.tokenTypeCodes.map { .int32($0) })),
                ("tokenizer.ggml.merges", .array(tokenizer.mergeRules.map { .string($0) })),
            ]
            entries.append(("tokenizer.ggml.add_bos_token", .bool(false)))
            if let prefix = source.addSpacePrefix { entries.append(("tokenizer.ggml.add_space_prefix", .bool(prefix))) }
        }
        let bos = bundle.tokenizer?.bosTokenID ?? config.bosTokenID, eos = bundle.tokenizer?.eosTokenID ?? config.eosTokenID
        if let bos { entries.append(("tokenizer.ggml.bos_token_id", .uint32(UInt32(bos)))) }
        if let eos { entries.append(("tokenizer.ggml.eos_token_id", .uint32(UInt32(eos)))) }
        if let unknown = source.unknownTokenID { entries.append(("tokenizer.ggml.unknown_token_id", .uint32(UInt32(unknown)))) }
        if let pad = source.padTokenID { entries.append(("tokenizer.ggml.padding_token_id", .uint32(UInt32(pad)))) }
        if let template = bundle.chatTemplateText { entries.append(("tokenizer.chat_template", .string(template))) }
        return entries
    }
}
