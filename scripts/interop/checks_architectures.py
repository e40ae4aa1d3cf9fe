"""Tiny models saved by transformers (two layers, random weights, the demo model's tokenizer) evaluated by
Quench: the same mean loss as transformers for every architecture Quench claims, and every config option that
changes the computation (a sliding window, RoPE scaling, another activation, MLP biases) either refused by
name or computed as transformers does."""
import hashlib
import json
import pathlib
import shutil

import torch
from transformers import AutoConfig, AutoModelForCausalLM

from common import CONTEXT, agree, compare, disjoint_nll, load_model, logits, loss_against_quench, slug
from quench_cli import QuenchFailed

LOSS_TOLERANCE = 1e-5
WINDOW = 32
WIDE_CONTEXT = 4 * WINDOW  # windows of the evaluation longer than the attention window
LLAMA_SIZES = dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                   num_key_value_heads=2, max_position_embeddings=256, tie_word_embeddings=False)
GPT2_SIZES = dict(n_embd=64, n_inner=128, n_layer=2, n_head=4, n_positions=256)
# Name, model_type, config options, and the key Quench names when it refuses them (None: it must agree).
TINY_MODELS = [
    ("Mistral, sliding_window 32", "mistral", {"sliding_window": WINDOW}, "sliding_window"),
    ("Mistral, no window", "mistral", {"sliding_window": None}, None),
    ("Qwen2", "qwen2", {}, None),
    ("Qwen2, window on layer 1", "qwen2",
     {"use_sliding_window": True, "sliding_window": WINDOW, "max_window_layers": 1}, "sliding_window"),
    ("Mistral, head_dim 32 (not hidden/heads)", "mistral", {"sliding_window": None, "head_dim": 32}, None),
    ("Qwen2, tied embeddings", "qwen2", {"tie_word_embeddings": True}, None),
    ("GPT-2", "gpt2", {}, None),
    # transformers' GGUF loader reads GPT-2's n_inner and n_positions only at their defaults.
    ("GPT-2, default sizes", "gpt2", {"n_inner": None, "n_positions": 1024}, None),
    ("Llama, attention_bias", "llama", {"attention_bias": True}, "bias"),
    ("Llama, mlp_bias", "llama", {"mlp_bias": True}, "mlp_bias"),
    ("Llama, hidden_act gelu", "llama", {"hidden_act": "gelu"}, "hidden_act"),
    ("Llama, linear RoPE scaling", "llama",
     {"rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}}, "rope"),
    ("Llama, llama3 RoPE scaling", "llama",
     {"rope_parameters": {"rope_type": "llama3", "factor": 8.0, "rope_theta": 10000.0, "low_freq_factor": 1.0,
                          "high_freq_factor": 4.0, "original_max_position_embeddings": 64}}, "rope"),
]


def tiny(context, name):
    """The tiny model of TINY_MODELS named `name`: its two-layer model type with its options, saved by
    transformers' save_pretrained (random weights, biases and norms), the demo model's tokenizer files beside."""
    _, model_type, options, _ = next(entry for entry in TINY_MODELS if entry[0] == name)

    def make():
        torch.manual_seed(0)
        sizes = GPT2_SIZES if model_type == "gpt2" else LLAMA_SIZES
        config = AutoConfig.for_model(model_type, vocab_size=49152, initializer_range=0.1, bos_token_id=1,
                                      eos_token_id=2, **{**sizes, **options})
        model = AutoModelForCausalLM.from_config(config)
        with torch.no_grad():  # transformers starts biases at 0 and norms at 1: make them count
            for parameter_name, parameter in model.named_parameters():
                if parameter_name.endswith("bias") or "norm" in parameter_name or ".ln_" in parameter_name:
                    parameter.add_(0.1 * torch.randn_like(parameter))
        folder = context.fresh(f"tiny-{slug(name)}")
        model.save_pretrained(folder)
        for file in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(context.base / file, folder / file)
        return folder
    return context.once(("tiny", name), make)


def loss_agrees(context, folder, window_context=CONTEXT, reference=None):
    """`quench eval` of `folder` against transformers on `reference` (default: the same folder): mean loss over
    the same disjoint windows."""
    summary = context.quench.eval_sets(folder, context.text_file, window_context)["base"]
    reference = reference or folder
    nll, targets = disjoint_nll(load_model(reference), context.ids(reference), window_context)
    return compare(loss_against_quench(summary, nll, targets), LOSS_TOLERANCE, "mean loss")


def refused_or_right(context, folder, key):
    """Quench refuses the model naming `key`, or agrees with transformers on windows wider than a sliding
    window (RoPE scaling and the rest show at every length)."""
    try:
        return loss_agrees(context, folder, WIDE_CONTEXT)
    except QuenchFailed as error:
        return refusal(error, key)


def refusal(error, key):
    """PASS when Quench's error names `key`, with the message's last line."""
    message = error.stderr.strip().splitlines()[-1] if error.stderr.strip() else ""
    return agree(bool(key) and key in message, f"refused: {message[:160]}")


def inspect_agrees(context):
    """`quench inspect --json` of every tiny model Quench must load: its parameter count is transformers' (tied
    weights once) and each file's sha256 is hashlib's."""
    problems = []
    for name, _, _, key in TINY_MODELS:
        if key:
            continue
        folder = tiny(context, name)
        summary = json.loads(context.quench.run("inspect", "--model", folder, "--json"))
        count = sum(parameter.numel() for parameter in load_model(folder).parameters())
        if summary["parameterCount"] != count:
            problems.append(f"{name}: {summary['parameterCount']} parameters, transformers {count}")
        problems += [f"{name}: sha256 of {file['path']}" for file in summary["files"]
                     if hashlib.sha256(pathlib.Path(file["path"]).read_bytes()).hexdigest() != file["sha256"]]
    return agree(not problems, "; ".join(problems) or "every tiny model Quench loads")


def export_refused_or_right(context, name, key):
    """`quench import` of the tiny model `name` to a Hugging Face directory: transformers computes the same
    logits from it as from the source (config.json keeps every option), or Quench refuses naming `key`."""
    source = tiny(context, name)
    try:
        exported = context.output(f"tiny-{slug(name)}-exported", "import", source)
    except QuenchFailed as error:
        return refusal(error, key)
    ids = context.ids(source)
    difference = (logits(load_model(exported), ids) - logits(load_model(source), ids)).abs().max().item()
    return compare(difference, 0.0, "logits")


def full_training_loads(context):
    """`quench train` (full, two steps) on the tiny Qwen2: transformers loads model/ and agrees with `quench
    eval` on it."""
    base = tiny(context, "Qwen2")
    run = context.fresh("train-full-qwen2")
    config = context.work / "train-full-qwen2.yaml"
    config.write_text(f"""\
model: {base}
method: full
output: {run}
data: {{train: {context.repo / "jobs/data/temperature-chat.jsonl"}, format: chat, max_sequence_length: 96}}
optimizer: {{learning_rate: 1.0e-3}}
schedule: {{kind: constant}}
batch_size: 2
max_steps: 2
""")
    context.quench.run("train", config)
    return loss_agrees(context, run / "model")


def checks():
    found = []
    for name, _, _, key in TINY_MODELS:
        model = lambda context, n=name: tiny(context, n)
        if key:
            found.append((f"tiny {name}: quench eval refuses it (naming {key}) or agrees with transformers",
                          lambda context, m=model, k=key: refused_or_right(context, m(context), k)))
        else:
            found.append((f"tiny {name}: quench eval loss vs transformers",
                          lambda context, m=model: loss_agrees(context, m(context))))
        found.append((f"tiny {name} -> quench import: transformers logits vs the source",
                      lambda context, n=name, k=key: export_refused_or_right(context, n, k)))
    found.append(("quench train full on tiny Qwen2: model/ quench eval loss vs transformers", full_training_loads))
    found.append(("quench inspect --json: parameter count and sha256 of the tiny models", inspect_agrees))
    return found
