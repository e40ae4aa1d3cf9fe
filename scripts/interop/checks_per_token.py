"""`quench eval --adapter --per-token FILE` compared token by token with transformers and PEFT: every window's
input ids run through the base model and PEFT's adapted one, the NLL of each predicted token against Quench's
line for it."""
import collections
import contextlib
import json

import torch
from peft import PeftModel
from transformers import AutoTokenizer

import checks_adapters
from common import CONTEXT, compare, load_model

NLL_TOLERANCE = 1e-4  # nats per token over 30 float32 layers


def per_token_lines(context, adapter):
    """The lines `quench eval --per-token` writes for TEXT on the imported demo model with `adapter`, and the
    set's summaries."""
    path = context.fresh("per-token.jsonl")
    summaries = context.quench.eval_sets(context.base, context.text_file, CONTEXT, "--adapter", adapter,
                                         "--per-token", path)
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()], summaries


def nll_token_by_token(context):
    """Each line's NLL against the reference's on the window's input ids (base: transformers, tuned: PEFT);
    the lines' token spelling is the tokenizer's, each model's scored NLLs sum to its summary's and the first
    window reads TEXT."""
    adapter = checks_adapters.peft_adapter(context, "plain LoRA", {})
    lines, summaries = per_token_lines(context, adapter)
    windows = collections.defaultdict(list)
    for line in lines:
        windows[(line["model"], line["set"], line.get("document"), line["window"])].append(line)
    model = PeftModel.from_pretrained(load_model(context.base), adapter).eval()
    tokenizer = AutoTokenizer.from_pretrained(context.base)
    difference, misspelled = 0.0, 0
    scored, summed = collections.Counter(), collections.Counter()
    for (model_name, *_), window in windows.items():
        window.sort(key=lambda line: line["position"])
        ids = torch.tensor([[line["input_id"] for line in window]])
        with torch.no_grad(), (model.disable_adapter() if model_name == "base" else contextlib.nullcontext()):
            log_probabilities = torch.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
        for position, line in enumerate(window):
            if line["token_id"] is None:
                continue
            difference = max(difference, abs(line["nll"] + log_probabilities[position, line["token_id"]].item()))
            misspelled += line["token"] != tokenizer.convert_ids_to_tokens(line["token_id"])
            if line["scored"]:
                scored[model_name] += 1
                summed[model_name] += line["nll"]
    problems = []
    for model_name in ("base", "tuned"):
        summary = summaries[model_name]
        if scored[model_name] != summary["tokens_scored"]:
            problems.append(f"{model_name}: {scored[model_name]} scored lines, summary {summary['tokens_scored']}")
        if abs(summed[model_name] - summary["summed_nll"]) > 1e-6 * max(1.0, summary["summed_nll"]):
            problems.append(f"{model_name}: scored NLL sums to {summed[model_name]}, summary {summary['summed_nll']}")
    text_ids = context.ids(context.base)[0].tolist()
    first = [line["input_id"] for line in next(iter(windows.values()))]
    if first != text_ids[:len(first)]:
        problems.append("the first window is not the text's first tokens")
    if misspelled:
        problems.append(f"{misspelled} tokens not spelled as the tokenizer's vocabulary")
    result = compare(difference, NLL_TOLERANCE, f"{len(lines)} lines in {len(windows)} windows, base and tuned")
    if problems:
        result.status, result.note = "FAIL", "; ".join(problems)
    return result


def checks():
    return [("quench eval --adapter --per-token: NLL token by token vs transformers and PEFT", nll_token_by_token)]
