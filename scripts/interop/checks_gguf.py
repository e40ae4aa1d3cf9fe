"""GGUF files Quench writes from the demo GGUF, read by gguf's GGUFReader (the reader llama.cpp's gguf-dump
uses): the source's metadata kept by `quench import --gguf` and `quench merge --gguf`, every tensor of the
import the source's, dequantized by gguf, and the merged file run by transformers as PEFT runs the adapter."""
import numpy
import torch
from gguf import GGUFReader
from gguf.quants import dequantize
from transformers import AutoModelForCausalLM

import checks_adapters
import checks_architectures
from common import agree, compare, load_model, logits, slug

# Source fields that no longer apply to a float32 export (it may write its own).
NOT_KEPT = {"general.file_type", "general.quantization_version"}
# Tiny models exported to GGUF; transformers' GGUF loader reads the first four whole (for Llama it drops biases
# and RoPE scaling), so the others are checked through `quench eval` only.
TINY_EXPORTS = ["Mistral, no window", "Qwen2", "Qwen2, tied embeddings", "GPT-2, default sizes",
                "Llama, attention_bias", "Llama, mlp_bias", "Llama, linear RoPE scaling", "Llama, llama3 RoPE scaling"]
READ_BY_TRANSFORMERS = TINY_EXPORTS[:4]


def exported(context):
    """The F32 GGUF `quench import` writes from the demo GGUF."""
    return context.output("export-f32.gguf", "import", context.gguf_model, "--gguf", "f32")


def merged(context):
    """The F32 GGUF `quench merge` writes from the demo GGUF and PEFT's plain LoRA adapter."""
    return context.output("merged-f32.gguf", "merge", "--model", context.gguf_model, "--adapter", peft_plain(context),
                          "--gguf", "f32")


def peft_plain(context):
    """PEFT's plain LoRA adapter on the imported demo model."""
    return checks_adapters.peft_adapter(context, "plain LoRA", {})


def merged_logits(context):
    """transformers' GGUF loader (which puts llama.cpp's Q and K rows back) on the merged GGUF against PEFT
    applying the adapter live: logits."""
    path = merged(context)
    model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    reference = checks_adapters.peft_reference(context, peft_plain(context))
    difference = (logits(model, reference["ids"]) - reference["logits"]).abs().max().item()
    effect = (reference["logits"] - reference["base_logits"]).abs().max().item()
    return compare(difference, checks_adapters.LOGIT_TOLERANCE, "logits", effect)


def tiny_export(context, name):
    """The F32 GGUF `quench import` writes from the tiny model `name` (a Hugging Face directory)."""
    return context.output(f"tiny-{slug(name)}.gguf", "import",
                          checks_architectures.tiny(context, name), "--gguf", "f32")


def tiny_export_logits(context, name):
    """transformers' GGUF loader (llama.cpp's tensor layout: Q and K rows permuted for Llama and Mistral, not
    for Qwen2) on the export against transformers on the source directory: logits."""
    path, source = tiny_export(context, name), checks_architectures.tiny(context, name)
    exported = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    ids = context.ids(source)
    return compare((logits(exported, ids) - logits(load_model(source), ids)).abs().max().item(), 1e-4, "logits")


def tiny_export_loss(context, name):
    """`quench eval` of the export against transformers on the source directory: mean loss."""
    return checks_architectures.loss_agrees(context, tiny_export(context, name),
                                            reference=checks_architectures.tiny(context, name))


def fields(reader):
    """Metadata key → value (arrays as lists), without the header's GGUF.* counts."""
    return {key: field.contents() for key, field in reader.fields.items() if not key.startswith("GGUF.")}


def metadata_kept(context, export_path):
    """Every source field except those that no longer apply is in the export with the same value."""
    source = fields(GGUFReader(context.gguf_model))
    export = fields(GGUFReader(export_path))
    expected = [key for key in source if key not in NOT_KEPT]
    missing = [key for key in expected if key not in export]
    different = [key for key in expected if key in export and export[key] != source[key]]
    problems = [f"missing {', '.join(missing)}" if missing else "",
                f"different {', '.join(f'{key} {export[key]!r} (source {source[key]!r})' for key in different)}"
                if different else ""]
    return agree(not (missing or different),
                 "; ".join(problem for problem in problems if problem) or f"{len(expected)} fields as the source's")


def tensors_dequantized(context):
    """Every exported tensor equals gguf's dequantization of the source's (same names and shapes)."""
    source = {tensor.name: tensor for tensor in GGUFReader(context.gguf_model).tensors}
    export = {tensor.name: tensor for tensor in GGUFReader(exported(context)).tensors}
    if set(source) != set(export):
        return agree(False, f"tensor names differ: {sorted(set(source) ^ set(export))[:4]}")
    difference = 0.0
    for name, tensor in source.items():
        expected = dequantize(tensor.data, tensor.tensor_type).reshape(-1)
        actual = numpy.asarray(export[name].data, dtype=numpy.float32).reshape(-1)
        if expected.shape != actual.shape:
            return agree(False, f"{name}: {actual.shape[0]} values, the source {expected.shape[0]}")
        difference = max(difference, float(numpy.abs(expected - actual).max()))
    return compare(difference, 0.0, f"{len(source)} tensors")


def checks():
    return [
        ("quench import --gguf f32: source's GGUF metadata kept",
         lambda context: metadata_kept(context, exported(context))),
        ("quench merge --gguf f32: source's GGUF metadata kept", lambda context: metadata_kept(context, merged(context))),
        ("quench merge --gguf f32: transformers' GGUF loader logits vs PEFT", merged_logits),
        ("quench import --gguf f32: tensors = gguf's dequantization", tensors_dequantized),
    ] + [(f"tiny {name} -> quench import --gguf f32: transformers' GGUF loader logits",
          lambda context, n=name: tiny_export_logits(context, n)) for name in READ_BY_TRANSFORMERS
    ] + [(f"tiny {name} -> quench import --gguf f32: quench eval loss vs transformers on the source",
          lambda context, n=name: tiny_export_loss(context, n)) for name in TINY_EXPORTS]
