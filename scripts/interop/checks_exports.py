"""The model directories Quench writes (`quench import`, `quench merge`, a trained adapter) as transformers,
PEFT and huggingface_hub read them: weights, generation, tokenizer and generation config, model cards."""
import json

import numpy
import torch
from gguf import GGUFReader
from huggingface_hub import ModelCard
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

import checks_adapters
from common import HUB_ID, agree, compare, load_model, logits

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
    """`quench generate --chat` against transformers' greedy generate on apply_chat_template's prompt, stopping
    where the directory's generation config says."""
    tokenizer = AutoTokenizer.from_pretrained(context.base)
    prompt = tokenizer.apply_chat_template([{"role": "user", "content": PROMPT}], add_generation_prompt=True,
                                           return_tensors="pt", return_dict=True)["input_ids"]
    with torch.no_grad():
        generated = load_model(context.base).generate(prompt, do_sample=False, max_new_tokens=NEW_TOKENS)
    theirs = tokenizer.decode(generated[0, prompt.shape[1]:], skip_special_tokens=True)
    ours = json.loads(context.quench.run("generate", "--model", context.base, "--chat", "--prompt", PROMPT,
                                         "--max-tokens", NEW_TOKENS, "--json"))["text"]
    return agree(ours == theirs, f"{ours!r}" if ours == theirs else f"quench {ours!r}, transformers {theirs!r}")


def tokenizer_and_generation_config(folder):
    """transformers reads `folder`'s generation_config.json and pad token, and they agree with config.json's
    ids and max_position_embeddings (generation may stop at more ids than config.json's eos)."""
    config = json.loads((folder / "config.json").read_text())
    tokenizer = AutoTokenizer.from_pretrained(folder)
    generation = GenerationConfig.from_pretrained(folder)
    problems = []
    if tokenizer.pad_token is None:
        problems.append("tokenizer has no pad token")
    if tokenizer.model_max_length != config["max_position_embeddings"]:
        problems.append(f"model_max_length {tokenizer.model_max_length}")
    if generation.bos_token_id != config.get("bos_token_id"):
        problems.append(f"generation_config bos_token_id {generation.bos_token_id}, config.json {config.get('bos_token_id')}")
    if not set(ids(config.get("eos_token_id"))) <= set(ids(generation.eos_token_id)):
        problems.append(f"generation_config eos_token_id {generation.eos_token_id}, config.json {config.get('eos_token_id')}")
    if generation.pad_token_id != tokenizer.pad_token_id:
        problems.append(f"generation_config pad_token_id {generation.pad_token_id}, tokenizer {tokenizer.pad_token_id}")
    return agree(not problems, "; ".join(problems) or
                 f"pad {tokenizer.pad_token!r}, eos {generation.eos_token_id}, model_max_length {tokenizer.model_max_length}")


def ids(value):
    """A token id field (one id, a list or null) as a list."""
    return [] if value is None else value if isinstance(value, list) else [value]


def config_dtype_and_epsilon(context):
    """config.json names transformers 5's `dtype` and writes rms_norm_eps as the shortest float32 decimal."""
    config = json.loads((context.base / "config.json").read_text())
    epsilon = config["rms_norm_eps"]
    clean = float(str(numpy.float32(epsilon)))
    return agree("dtype" in config and epsilon == clean, f"dtype {config.get('dtype')!r}, rms_norm_eps {epsilon!r}"
                 + ("" if epsilon == clean else f" (not {clean!r})"))


def model_card(folder, library, base_model, license=None):
    """huggingface_hub reads README.md's YAML front matter: library_name `library`, tags, base_model the hub
    id `base_model` (None: a local base, which is no hub id, so no base_model), and `license` if given."""
    data = ModelCard.load(folder / "README.md").data.to_dict()
    problems = [] if data.get("tags") else ["no tags"]
    if data.get("library_name") != library:
        problems.append(f"library_name {data.get('library_name')!r}, not {library!r}")
    if data.get("base_model") != base_model:
        problems.append(f"base_model {data.get('base_model')!r}, not {base_model!r}")
    if license and data.get("license") != license:
        problems.append(f"license {data.get('license')!r}, not {license!r}")
    return agree(not problems, "; ".join(problems) or f"library_name {library!r}, base_model {base_model!r}"
                 + (f", license {license!r}" if license else ""))


def gguf_license(context):
    """The demo GGUF's general.license."""
    return GGUFReader(context.gguf_model).fields["general.license"].contents()


def hub_adapter(context):
    """The plain LoRA adapter `quench train` writes on the hub-cache copy of the demo model."""
    return checks_adapters.quench_adapter(context, "plain LoRA from the hub cache", {}, context.hub_base)


def hub_adapter_config(context):
    """Trained on a hub-cache base, adapter_config.json names the base by its hub id."""
    written = json.loads((hub_adapter(context) / "adapter_config.json").read_text())
    return agree(written.get("base_model_name_or_path") == HUB_ID,
                 f"base_model_name_or_path {written.get('base_model_name_or_path')!r}")


def merged_plain(context):
    """`quench merge`'s directory for the Quench-trained plain LoRA adapter."""
    return checks_adapters.merged(context, checks_adapters.quench_adapter(context, "plain LoRA", {}))


def bf16_import(context):
    """`quench import --dtype bf16`: config.json's dtype, every weight the float32 import rounded, and
    transformers loads it."""
    folder = bf16_directory(context)
    load_model(folder)
    return weights_rounded(context.base, folder)


def bf16_kept(context):
    """`quench import` of the bf16 directory without --dtype keeps bf16 (the source's type), value for value."""
    folder = context.output("base-bf16-again", "import", bf16_directory(context))
    return weights_rounded(bf16_directory(context), folder)


def bf16_directory(context):
    """`quench import --dtype bf16` of the demo GGUF."""
    return context.output("base-bf16", "import", context.gguf_model, "--dtype", "bf16")


def weights_rounded(source, folder):
    """`folder`'s config.json says bfloat16 and each of its weights is `source`'s rounded to bf16."""
    config = json.loads((folder / "config.json").read_text())
    original, rounded = load_file(source / "model.safetensors"), load_file(folder / "model.safetensors")
    if set(original) != set(rounded):
        return agree(False, f"tensors differ: {sorted(set(original) ^ set(rounded))[:4]}")
    wrong_type = [name for name, tensor in rounded.items() if tensor.dtype != torch.bfloat16]
    difference = max((original[name].to(torch.bfloat16).float() - rounded[name].float()).abs().max().item()
                     for name in original)
    result = compare(difference, 0.0, f"config dtype {config.get('dtype')!r}")
    if wrong_type or config.get("dtype") != "bfloat16":
        result.status, result.note = "FAIL", result.note + f"; not bf16: {wrong_type[:4]}"
    return result


def checks():
    return [
        ("quench import GGUF vs transformers' GGUF loader: logits", gguf_import_logits),
        ("quench import: greedy chat generation as transformers'", greedy_chat_generation),
        ("quench import: generation_config.json, pad token, model_max_length",
         lambda context: tokenizer_and_generation_config(context.base)),
        ("quench merge: generation_config.json, pad token, model_max_length",
         lambda context: tokenizer_and_generation_config(merged_plain(context))),
        ("quench import: config.json dtype, clean rms_norm_eps", config_dtype_and_epsilon),
        ("quench import --dtype bf16: weights rounded, transformers loads", bf16_import),
        ("quench import of a bf16 directory: bf16 kept by default", bf16_kept),
        ("quench import: model card (README.md) with the GGUF's license",
         lambda context: model_card(context.base, "transformers", None, gguf_license(context))),
        ("quench merge: model card (README.md)",
         lambda context: model_card(merged_plain(context), "transformers", None)),
        ("quench train adapter: model card (README.md)",
         lambda context: model_card(checks_adapters.quench_adapter(context, "plain LoRA", {}), "peft", None)),
        ("quench train on a hub-cache base: adapter_config.json names the hub id", hub_adapter_config),
        ("quench train on a hub-cache base: adapter model card's base_model",
         lambda context: model_card(hub_adapter(context), "peft", HUB_ID)),
        ("quench merge of a hub-cache base: model card's base_model",
         lambda context: model_card(checks_adapters.merged(context, hub_adapter(context), base=context.hub_base),
                                    "transformers", HUB_ID)),
    ]
