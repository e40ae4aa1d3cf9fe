"""`quench eval --per-token FILE` compared token by token with transformers: every window's tokens run through
transformers, the NLL of each predicted token against Quench's line for it."""
import collections
import json

import torch

from common import CONTEXT, agree, compare, load_model
from quench_cli import Absent

NLL_TOLERANCE = 1e-4  # nats per token over 30 float32 layers


def per_token_lines(context):
    """The lines `quench eval --per-token` writes for TEXT on the imported demo model, and its summary."""
    context.quench.require_option("eval", "--per-token", "per-token output")
    path = context.fresh("per-token.jsonl")
    summary = context.quench.eval_sets(context.base, context.text_file, CONTEXT, "--per-token", path)["base"]
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()], summary


def nll_token_by_token(context):
    """Each line's NLL against transformers' on the same window; the scored lines sum to the summary's NLL
    and the windows read TEXT's tokens."""
    lines, summary = per_token_lines(context)
    windows = collections.defaultdict(list)
    for line in lines:
        windows[(line["set"], line["window"])].append(line)
    model = load_model(context.base)
    difference, scored, summed = 0.0, 0, 0.0
    for window in windows.values():
        window.sort(key=lambda line: line["position"])
        ids = torch.tensor([[line["token_id"] for line in window]])
        with torch.no_grad():
            log_probabilities = torch.log_softmax(model(input_ids=ids).logits[0].float(), dim=-1)
        for index, line in enumerate(window[1:], start=1):
            expected = -log_probabilities[index - 1, line["token_id"]].item()
            difference = max(difference, abs(line["nll"] - expected))
            if line["scored"]:
                scored, summed = scored + 1, summed + line["nll"]
    text_ids = context.ids(context.base)[0].tolist()
    first = [line["token_id"] for line in windows[next(iter(windows))]]
    problems = []
    if scored != summary["tokens_scored"]:
        problems.append(f"{scored} scored lines, summary {summary['tokens_scored']}")
    if abs(summed - summary["summed_nll"]) > 1e-6 * max(1.0, abs(summed)):
        problems.append(f"scored NLL sums to {summed}, summary {summary['summed_nll']}")
    if first != text_ids[:len(first)]:
        problems.append("the first window is not the text's first tokens")
    result = compare(difference, NLL_TOLERANCE, f"{len(lines)} lines in {len(windows)} windows")
    if problems:
        result.status, result.note = "FAIL", "; ".join(problems)
    return result


def checks():
    return [("quench eval --per-token: NLL token by token vs transformers", nll_token_by_token)]
