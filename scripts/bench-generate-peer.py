"""Transformers' greedy generation on the same work as `quench bench generate`, timed the same way.

  bench-generate-peer.py GGUF TASK.jsonl MAX_NEW_TOKENS REPEATS BATCH [BATCH ...]

TASK.jsonl holds chat records: every turn before the last (the reference) is the prompt, rendered
with the model's chat template and its generation prompt. Prompts are grouped by length as Quench
groups them, left-padded within a batch, and decoded greedily with the KV cache until EOS,
<|im_end|> or MAX_NEW_TOKENS. Prints one JSON line per batch size: prompts/s and generated tokens/s
(medians of REPEATS after one warm-up), the tokens generated, and the answers (for comparing with
`quench eval --task ... --json`). Runs with PyTorch's two threads, as the other peers do. Needs a
venv with torch and transformers (../shared/bench/setup-peers.sh); never part of `make test`.
"""
import json, os, statistics, sys, time
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
torch.set_num_threads(2)
gguf, task, max_new, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
batches = [int(b) for b in sys.argv[5:]] or [1, 8]
d, f = os.path.dirname(gguf), os.path.basename(gguf)
tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32).eval()
records = [json.loads(line) for line in open(task, encoding="utf-8") if line.strip()]
prompts = [tok.apply_chat_template(r["messages"][:-1], add_generation_prompt=True, tokenize=False) for r in records]
ids = [tok(p, add_special_tokens=False).input_ids for p in prompts]
stops = [tok.eos_token_id, tok.convert_tokens_to_ids("<|im_end|>")]
order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # stable, as Quench groups prompts

def answer_all(batch):
    answers, generated = [None] * len(ids), 0
    for start in range(0, len(order), batch):
        group = order[start:start + batch]
        width = max(len(ids[i]) for i in group)
        inputs = torch.tensor([[tok.eos_token_id] * (width - len(ids[i])) + ids[i] for i in group])
        mask = torch.tensor([[0] * (width - len(ids[i])) + [1] * len(ids[i]) for i in group])
        with torch.no_grad():
            out = model.generate(input_ids=inputs, attention_mask=mask, max_new_tokens=max_new, do_sample=False,
                                 eos_token_id=stops, pad_token_id=tok.eos_token_id)
        for row, i in enumerate(group):
            new = out[row, width:].tolist()
            cut = next((k for k, t in enumerate(new) if t in stops), len(new))
            generated += cut
            answers[i] = tok.decode(new[:cut])
    return answers, generated

for batch in batches:
    answer_all(batch)
    secs, result = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = answer_all(batch)
        secs.append(time.perf_counter() - t0)
    median = statistics.median(secs)
    print(json.dumps({"batch_size": batch, "prompts_per_second": len(ids) / median,
                      "tokens_per_second": result[1] / median, "generated_tokens": result[1], "answers": result[0]}))
