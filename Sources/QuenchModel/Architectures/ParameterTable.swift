/// Every parameter of a model: Quench's name, its shape, and its names in Hugging Face checkpoints
/// and in GGUF files. The one table that maps between the three, both ways.
public struct ParameterSpec: Sendable, Equatable {
    /// Quench's name, e.g. `layers.3.q`.
    public let name: String
    /// Row-major shape as Quench holds it (Linear weights are (out, in)).
    public let shape: [Int]
    /// Name in a Hugging Face checkpoint, e.g. `model.layers.3.self_attn.q_proj.weight`.
    public let huggingFaceName: String
    /// Hugging Face stores it transposed, (in, out): GPT-2's Conv1D weights.
    public let transposedInHuggingFace: Bool
    /// Name in a GGUF file, e.g. `blk.3.attn_q.weight`.
    public let ggufName: String
}

/// Builds the parameter table of a configuration.
public enum ParameterTable {
    /// The parameters of `config` in the order they are laid out in memory.
    public static func specs(for config: ModelConfig) -> [ParameterSpec] {
        switch config.architecture {
        case .llama: return llama(config)
        case .gpt2: return gpt2(config)
        }
    }

    /// How many floats the parameters of `config` take, computed from one layer's table so that a
    /// hostile layer count cannot make the table itself huge; nil when the count overflows.
    public static func elementCount(for config: ModelConfig) -> Int? {
        var outside = config, oneLayer = config
        (outside.layers, oneLayer.layers) = (0, 1)
        guard let fixed = MemoryBudget.elements(specs(for: outside).map(\.shape)),
              let withLayer = MemoryBudget.elements(specs(for: oneLayer).map(\.shape)) else { return nil }
        let (layers, overflow) = (withLayer - fixed).multipliedReportingOverflow(by: config.layers)
        let (total, sumOverflow) = fixed.addingReportingOverflow(layers)
        return overflow || sumOverflow ? nil : total
    }

    /// The Quench name of the weight the vocabulary head multiplies with: `head`, or `embed` when tied.
    public static func headName(for config: ModelConfig) -> String {
        config.tiedEmbeddings ? "embed" : "head"
    }

    private static func llama(_ c: ModelConfig) -> [ParameterSpec] {
        let (C, H, V) = (c.hiddenSize, c.intermediateSize, c.vocabularySize)
        let qWidth = c.heads * c.headSize, kvWidth = c.keyValueHeads * c.headSize
        var specs = [ParameterSpec(name: "embed", shape: [V, C], huggingFaceName: "model.embed_tokens.weight",
                                   transposedInHuggingFace: false, ggufName: "token_embd.weight")]
        for l in 0..<c.layers {
            let hf = "model.layers.\(l).", gg = "blk.\(l)."
            func add(_ name: String, _ shape: [Int], _ hfName: String, _ ggName: String) {
                specs.append(ParameterSpec(name: "layers.\(l).\(name)", shape: shape, huggingFaceName: hf + hfName,
                                           transposedInHuggingFace: false, ggufName: gg + ggName))
            }
            add("attn_norm", [C], "input_layernorm.weight", "attn_norm.weight")
            add("q", [qWidth, C], "self_attn.q_proj.weight", "attn_q.weight")
            add("k", [kvWidth, C], "self_attn.k_proj.weight", "attn_k.weight")
            add("v", [kvWidth, C], "self_attn.v_proj.weight", "attn_v.weight")
            if c.attentionBias {
                add("q_bias", [qWidth], "self_attn.q_proj.bias", "attn_q.bias")
                add("k_bias", [kvWidth], "self_attn.k_proj.bias", "attn_k.bias")
                add("v_bias", [kvWidth], "self_attn.v_proj.bias", "attn_v.bias")
            }
            add("o", [C, qWidth], "self_attn.o_proj.weight", "attn_output.weight")
            if c.outputBias { add("o_bias", [C], "self_attn.o_proj.bias", "attn_output.bias") }
            add("mlp_norm", [C], "post_attention_layernorm.weight", "ffn_norm.weight")
            add("gate", [H, C], "mlp.gate_proj.weight", "ffn_gate.weight")
            add("up", [H, C], "mlp.up_proj.weight", "ffn_up.weight")
            add("down", [C, H], "mlp.down_proj.weight", "ffn_down.weight")
            if c.mlpBias {
                add("gate_bias", [H], "mlp.gate_proj.bias", "ffn_gate.bias")
                add("up_bias", [H], "mlp.up_proj.bias", "ffn_up.bias")
                add("down_bias", [C], "mlp.down_proj.bias", "ffn_down.bias")
            }
        }
        specs.append(ParameterSpec(name: "final_norm", shape: [C], huggingFaceName: "model.norm.weight",
                                   transposedInHuggingFace: false, ggufName: "output_norm.weight"))
        if !c.tiedEmbeddings {
            specs.append(ParameterSpec(name: "head", shape: [V, C], huggingFaceName: "lm_head.weight",
                                       transposedInHuggingFace: false, ggufName: "output.weight"))
        }
        return specs
    }

    private static func gpt2(_ c: ModelConfig) -> [ParameterSpec] {
        let (C, H, V) = (c.hiddenSize, c.intermediateSize, c.vocabularySize)
        var specs = [
            ParameterSpec(name: "embed", shape: [V, C], huggingFaceName: "transformer.wte.weight",
                          transposedInHuggingFace: false, ggufName: "token_embd.weight"),
            ParameterSpec(name: "positions", shape: [c.maxPositions, C], huggingFaceName: "transformer.wpe.weight",
                          transposedInHuggingFace: false, ggufName: "position_embd.weight"),
        ]
        for l in 0..<c.layers {
            let hf = "transformer.h.\(l).", gg = "blk.\(l)."
            func add(_ name: String, _ shape: [Int], _ hfName: String, _ ggName: String, transposed: Bool = false) {
                specs.append(ParameterSpec(name: "layers.\(l).\(name)", shape: shape, huggingFaceName: hf + hfName,
                                           transposedInHuggingFace: transposed, ggufName: gg + ggName))
            }
            add("attn_norm", [C], "ln_1.weight", "attn_norm.weight")
            add("attn_norm_bias", [C], "ln_1.bias", "attn_norm.bias")
            add("qkv", [3 * C, C], "attn.c_attn.weight", "attn_qkv.weight", transposed: true)
            add("qkv_bias", [3 * C], "attn.c_attn.bias", "attn_qkv.bias")
            add("o", [C, C], "attn.c_proj.weight", "attn_output.weight", transposed: true)
            add("o_bias", [C], "attn.c_proj.bias", "attn_output.bias")
            add("mlp_norm", [C], "ln_2.weight", "ffn_norm.weight")
            add("mlp_norm_bias", [C], "ln_2.bias", "ffn_norm.bias")
            add("fc", [H, C], "mlp.c_fc.weight", "ffn_up.weight", transposed: true)
            add("fc_bias", [H], "mlp.c_fc.bias", "ffn_up.bias")
            add("proj", [C, H], "mlp.c_proj.weight", "ffn_down.weight", transposed: true)
            add("proj_bias", [C], "mlp.c_proj.bias", "ffn_down.bias")
        }
        specs.append(ParameterSpec(name: "final_norm", shape: [C], huggingFaceName: "transformer.ln_f.weight",
                                   transposedInHuggingFace: false, ggufName: "output_norm.weight"))
        specs.append(ParameterSpec(name: "final_norm_bias", shape: [C], huggingFaceName: "transformer.ln_f.bias",
                                   transposedInHuggingFace: false, ggufName: "output_norm.bias"))
        if !c.tiedEmbeddings {
            specs.append(ParameterSpec(name: "head", shape: [V, C], huggingFaceName: "lm_head.weight",
                                       transposedInHuggingFace: false, ggufName: "output.weight"))
        }
        return specs
    }
}
