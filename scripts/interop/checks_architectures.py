"""Tiny Mistral and Qwen2 models saved by transformers (random weights, the demo model's tokenizer) evaluated
by Quench: the same mean loss as transformers, and a sliding window that would change attention refused by
name (or, once Quench implements it, the same loss as transformers with the window)."""
import shutil

import torch
from transformers import AutoConfig, AutoModelForCausalLM

from common import CONTEXT, agree, compare, disjoint_nll, load_model, loss_against_quench
from quench_cli import QuenchFailed

LOSS_TOLERANCE = 1e-5
WINDOW = 32
WIDE_CONTEXT = 4 * WINDOW  # windows of the evaluation longer than the attention window


def tiny_model(context, name, model_type, **options):
    """A two-layer `model_type` saved by transformers' save_pretrained (random weights, biases and norms),
    with the imported demo model's tokenizer files beside it."""
    def make():
        torch.manual_seed(0)
        config = AutoConfig.for_model(
            model_type, vocab_size=49152, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, initializer_range=0.1,
            bos_token_id=1, eos_token_id=2, tie_word_embeddings=False, **options)
        model = AutoModelForCausalLM.from_config(config)
        with torch.no_grad():  # transformers starts biases at 0 and norms at 1: make them count
            for parameter_name, parameter in model.named_parameters():
                if parameter_name.endswith("bias") or "norm" in parameter_name:
                    parameter.add_(0.1 * torch.randn_like(parameter))
        folder = context.fresh(f"tiny-{name}")
        model.save_pretrained(folder)
        for file in ("tokenizer.json", "tokenizer_config.json"):
            shutil.copy(context.base / file, folder / file)
        return folder
    return context.once(("tiny", name), make)


def loss_agrees(context, folder, window_context=CONTEXT):
    """`quench eval` against transformers: mean loss over the same disjoint windows."""
    summary = context.quench.eval_sets(folder, context.text_file, window_context)["base"]
    nll, targets = disjoint_nll(load_model(folder), context.ids(folder), window_context)
    return compare(loss_against_quench(summary, nll, targets), LOSS_TOLERANCE, "mean loss")


def window_refused_or_right(context, folder):
    """Quench refuses the windowed model naming sliding_window, or (when it implements windows) agrees with
    transformers on windows wider than the attention window."""
    try:
        return loss_agrees(context, folder, WIDE_CONTEXT)
    except QuenchFailed as error:
        message = error.stderr.strip().splitlines()[-1] if error.stderr.strip() else ""
        return agree("sliding_window" in message, f"refused: {message[:160]}")


def full_training_loads(context):
    """`quench train` (full, two steps) on the tiny Qwen2: transformers loads model/ and agrees with `quench
    eval` on it."""
    base = tiny_model(context, "qwen2", "qwen2")
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
    return [
        ("tiny Mistral, sliding_window 32: quench eval refuses it or agrees",
         lambda context: window_refused_or_right(context, tiny_model(context, "mistral-window", "mistral",
                                                                     sliding_window=WINDOW))),
        ("tiny Mistral, no window: quench eval loss vs transformers",
         lambda context: loss_agrees(context, tiny_model(context, "mistral", "mistral", sliding_window=None))),
        ("tiny Qwen2: quench eval loss vs transformers",
         lambda context: loss_agrees(context, tiny_model(context, "qwen2", "qwen2"))),
        ("quench train full on tiny Qwen2: model/ quench eval loss vs transformers", full_training_loads),
        ("tiny Qwen2, window on layer 1: quench eval refuses it or agrees",
         lambda context: window_refused_or_right(context, tiny_model(
             context, "qwen2-window", "qwen2", use_sliding_window=True, sliding_window=WINDOW, max_window_layers=1))),
    ]
