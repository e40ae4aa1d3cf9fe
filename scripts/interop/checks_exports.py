"""The model directories Quench writes (`quench import`, `quench merge`, a trained adapter) as transformers,
PEFT and huggingface_hub read them: weights, generation, tokenizer and generation config, model cards."""
import json

import numpy
import torch
from huggingface_hub import ModelCard
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

import checks_adapters
from common import agree, compare, load_model, logits
from quench_cli import Absent

PROMPT = "Convert 25 degrees Celsius to Fahrenheit."
NEW_TOKENS = 24


def gguf_import_logits(context):
    """`quench import` of the demo GGUF against transformers' own GGUF loader (gguf_file=): logits."""
    ids = context.ids(context.base)
    theirs = AutoModelForCausalLM.from_pretrained(context.gguf_model.parent, gguf_file=context.gguf_model.name,
                                                  dtype=torch.float32).eval()
    difference = (logits(load_model(context.base), ids) - logits(theirs, ids)).abs().max().item()
    return compare(difference, 1e-4, "logits")


def greedy_chat_generation(context):
    """`quench generate --chat` against transformers' greedy generate on apply_chat_template's prompt."""
    tokenizer = AutoTokenizer.from_pretrained(context.base)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": PROMPT}], add_generation_prompt=True,
                                           return_tensors="pt", return_dict=True)["input_ids"]
    with torch.no_grad():
        generated = load_model(context.base).generate(prompt, do_sample=False, max_new_tokens=NEW_TOKENS,
                                                      eos_token_id=tokenizer.eos_token_id)
    theirs = tokenizer.decode(generated[0, prompt.shape[1]:], skip_special_tokens=True)
    ours = json.loads(context.quench.run("generate", "--model", context.base, "--chat", "--prompt", PROMPT,
                                         "--max-tokens", NEW_TOKENS, "--json"))["text"]
    return agree(ours == theirs, f"{ours!r}" if ours == theirs else f"quench {ours!r}, transformers {theirs!r}")


def require_exported_files(folder):
    """Raises Absent when `folder` has no generation_config.json: Quench does not write the files yet."""
    if not (folder / "generation_config.json").exists():
        raise Absent(f"no generation_config.json in {folder.name}: exported files not in this build")


def tokenizer_and_generation_config(context):
    """transformers reads the imported directory's generation_config.json and pad token, and they agree with
    config.json's ids and max_position_embeddings."""
    require_exported_files(context.base)
    config = json.loads((context.base / "config.json").read_text())
    tokenizer = AutoTokenizer.from_pretrained(context.base)
    generation = GenerationConfig.from_pretrained(context.base)
    problems = []
    if tokenizer.pad_token is None:
        problems.append("tokenizer has no pad token")
    if tokenizer.model_max_length != config["max_position_embeddings"]:
        problems.append(f"model_max_length {tokenizer.model_max_length}")
    for key in ("bos_token_id", "eos_token_id"):
        if getattr(generation, key) != config.get(key):
            problems.append(f"generation_config {key} {getattr(generation, key)}, config.json {config.get(key)}")
    if generation.pad_token_id != tokenizer.pad_token_id:
        problems.append(f"generation_config pad_token_id {generation.pad_token_id}, tokenizer {tokenizer.pad_token_id}")
    return agree(not problems, "; ".join(problems) or
                 f"pad {tokenizer.pad_token!r}, model_max_length {tokenizer.model_max_length}")


def config_dtype_and_epsilon(context):
    """config.json names transformers 5's `dtype` and writes rms_norm_eps as the shortest float32 decimal."""
    require_exported_files(context.base)
    config = json.loads((context.base / "config.json").read_text())
    epsilon = config["rms_norm_eps"]
    clean = float(str(numpy.float32(epsilon)))
    return agree("dtype" in config and epsilon == clean, f"dtype {config.get('dtype')!r}, rms_norm_eps {epsilon!r}"
                 + ("" if epsilon == clean else f" (not {clean!r})"))


def model_card(folder, library):
    """huggingface_hub reads README.md's YAML front matter: base_model, library_name `library`, tags."""
    if not (folder / "README.md").exists():
        raise Absent(f"no README.md in {folder.name}: model cards not in this build")
    data = ModelCard.load(folder / "README.md").data.to_dict()
    problems = [f"no {key}" for key in ("base_model", "tags") if not data.get(key)]
    if data.get("library_name") != library:
        problems.append(f"library_name {data.get('library_name')!r}, not {library!r}")
    return agree(not problems, "; ".join(problems) or f"base_model {data['base_model']!r}")


def merged_card(context):
    """The model card of `quench merge`'s directory for a Quench-trained adapter."""
    adapter = checks_adapters.quench_adapter(context, "plain LoRA", {})
    return model_card(checks_adapters.merged(context, adapter), "transformers")


def bf16_import(context):
    """`quench import --dtype bf16`: config.json's dtype, and every weight is the float32 import rounded."""
    context.quench.require_option("import", "--dtype", "safetensors dtype")
    folder = context.fresh("base-bf16")
    context.quench.run("import", context.gguf_model, "--dtype", "bf16", "--out", folder)
    config = json.loads((folder / "config.json").read_text())
    f32, bf16 = load_file(context.base / "model.safetensors"), load_file(folder / "model.safetensors")
    if set(f32) != set(bf16):
        return agree(False, f"tensors differ: {sorted(set(f32) ^ set(bf16))[:4]}")
    wrong_type = [name for name, tensor in bf16.items() if tensor.dtype != torch.bfloat16]
    difference = max((f32[name].to(torch.bfloat16).float() - bf16[name].float()).abs().max().item() for name in f32)
    result = compare(difference, 0.0, f"config dtype {config.get('dtype')!r}")
    if wrong_type or config.get("dtype") != "bfloat16":
        result.status, result.note = "FAIL", result.note + f"; not bf16: {wrong_type[:4]}"
    load_model(folder)  # transformers loads it
    return result


def checks():
    return [
        ("quench import GGUF vs transformers' GGUF loader: logits", gguf_import_logits),
        ("quench import: greedy chat generation as transformers'", greedy_chat_generation),
        ("quench import: generation_config.json, pad token, model_max_length", tokenizer_and_generation_config),
        ("quench import: config.json dtype, clean rms_norm_eps", config_dtype_and_epsilon),
        ("quench import --dtype bf16: weights rounded, transformers loads", bf16_import),
        ("quench merge: model card (README.md)", merged_card),
        ("quench train adapter: model card (README.md)",
         lambda context: model_card(checks_adapters.quench_adapter(context, "plain LoRA", {}), "peft")),
    ]
