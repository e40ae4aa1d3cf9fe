#!/usr/bin/env python3
"""Checks that PEFT reads a Quench LoRA adapter trained on the top layers only (lora.layers).

Run with the peer venv (PyTorch, transformers, peft), never in CI:
  /tmp/quench-peer-venv/bin/python scripts/check-peft-layers-interop.py [--quench .build/release/quench]

Steps (everything under a temporary folder, or --work):
1. `quench import` the demo model (SmolLM2-135M GGUF) to a Hugging Face directory: the f32 weights
   Quench computes with, so both sides start from the same base.
2. `quench train` LoRA with `lora.layers: 2` for a few steps at a high learning rate (B far from zero),
   writing adapter/ with adapter_config.json's layers_to_transform.
3. PEFT (`PeftModel.from_pretrained`) loads that adapter onto the imported base: the LoRA modules must
   sit on exactly the two top layers, with no missing or unexpected keys.
4. Logits: PEFT's live adapter against the model `quench merge` writes (W + scale·B·A folded by Quench),
   and the mean loss of a text under `quench eval --adapter` (Quench's own adapted forward pass) against
   PEFT's on the same disjoint windows. The adapter's effect (PEFT with and without it) is printed for scale.
"""
import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer

REPO = pathlib.Path(__file__).resolve().parent.parent
TEXT = (
    "Water boils at one hundred degrees Celsius at sea level, and it freezes at zero. "
    "To turn Celsius into Fahrenheit, multiply by nine, divide by five and add thirty-two. "
    "On a cold winter morning the thermometer outside the kitchen window showed frost on the glass, "
    "while the kettle inside began to whistle as the water reached its boiling point."
)


def run(*command):
    print("$", " ".join(str(part) for part in command), flush=True)
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed ({result.returncode}): {result.stderr.strip()}")
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quench", default=str(REPO / ".build/release/quench"))
    parser.add_argument("--model", default=str(pathlib.Path.home() / ".cache/quench/models/SmolLM2-135M-Instruct.Q4_1.gguf"))
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--work", default=None, help="folder for the files (default: a temporary one)")
    args = parser.parse_args()
    work = pathlib.Path(args.work or tempfile.mkdtemp(prefix="quench-peft-layers-"))
    work.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    torch.set_num_threads(2)

    base_dir, merged_dir, run_dir = work / "base-hf", work / "merged-hf", work / "run"
    if not base_dir.exists():
        run(args.quench, "import", args.model, "--out", base_dir)
    config = work / "train.yaml"
    config.write_text(f"""\
model: {base_dir}
method: lora
output: {run_dir}
lora: {{rank: 8, alpha: 16, layers: {args.layers}}}
data:
  train: {REPO / 'jobs/data/temperature-chat.jsonl'}
  format: chat
  max_sequence_length: 96
optimizer: {{learning_rate: 1.0e-2}}
schedule: {{kind: constant}}
batch_size: 2
max_steps: 4
""")
    for folder in (run_dir, merged_dir):
        shutil.rmtree(folder, ignore_errors=True)
    run(args.quench, "train", config)
    adapter = run_dir / "adapter"
    adapter_config = json.loads((adapter / "adapter_config.json").read_text())
    depth = json.loads((base_dir / "config.json").read_text())["num_hidden_layers"]
    expected_layers = list(range(depth - args.layers, depth))
    print("adapter_config.json: layers_to_transform", adapter_config.get("layers_to_transform"),
          "layers_pattern", adapter_config.get("layers_pattern", "(absent)"))
    assert adapter_config["layers_to_transform"] == expected_layers, adapter_config
    run(args.quench, "merge", "--model", base_dir, "--adapter", adapter, "--out", merged_dir)

    tokenizer = AutoTokenizer.from_pretrained(base_dir)
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32).eval()
    peft_model = PeftModel.from_pretrained(base, adapter).eval()
    adapted = sorted({int(name.split(".layers.")[1].split(".")[0])
                      for name, module in peft_model.named_modules() if hasattr(module, "lora_A") and name.count(".layers.")})
    print("PEFT put LoRA modules on layers", adapted)
    assert adapted == expected_layers, adapted
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()

    ids = torch.tensor([tokenizer(TEXT, add_special_tokens=False)["input_ids"]])
    context = 32
    with torch.no_grad():
        peft_logits = peft_model(input_ids=ids).logits
        merged_logits = merged(input_ids=ids).logits
        with peft_model.disable_adapter():
            base_logits = peft_model(input_ids=ids).logits
    scale = (peft_logits - base_logits).abs().max().item()
    difference = (peft_logits - merged_logits).abs().max().item()
    print(f"tokens {ids.shape[1]}; max |logits| {peft_logits.abs().max().item():.3f}")
    print(f"adapter's effect, max |PEFT with - without adapter|: {scale:.4f}")
    print(f"max |PEFT live adapter - Quench-merged model| logits: {difference:.3e}")

    # Quench's own adapted forward pass: mean loss over disjoint windows of the text, against PEFT's.
    text_file = work / "text.txt"
    text_file.write_text(TEXT)
    report = json.loads(run(args.quench, "eval", "--model", base_dir, "--adapter", adapter, "--data", text_file,
                            "--windowing", "disjoint", "--context", context, "--json"))
    quench_base, quench_tuned = report["sets"][0]["base"], report["sets"][0]["tuned"]

    def summed_nll(model):
        """Σ NLL under Quench's disjoint windowing (lm-evaluation-harness rolling windows): `context` new
        targets per window, the last window right-aligned so it reads a full context."""
        targets, total, predicted = ids.shape[1] - 1, 0.0, 0
        with torch.no_grad():
            while predicted < targets:
                fresh = min(targets - predicted, context)
                end = predicted + fresh
                start = max(0, end - context)
                logits = model(input_ids=ids[:, start:end]).logits[0, -fresh:]
                total += torch.nn.functional.cross_entropy(logits, ids[0, end - fresh + 1:end + 1], reduction="sum").item()
                predicted = end
        return total, targets

    with peft_model.disable_adapter():
        peft_base, scored = summed_nll(peft_model)
    peft_tuned, _ = summed_nll(peft_model)
    print(f"tokens scored: quench {quench_tuned['tokens_scored']}, PEFT {scored}")
    print(f"summed NLL without the adapter: quench {quench_base['summed_nll']:.5f}, transformers {peft_base:.5f}")
    print(f"summed NLL with the adapter:    quench {quench_tuned['summed_nll']:.5f}, PEFT {peft_tuned:.5f}")
    mean_difference = abs(quench_tuned["summed_nll"] - peft_tuned) / scored
    print(f"mean loss with the adapter: |quench - PEFT| = {mean_difference:.3e} "
          f"(adapter's effect on it: {abs(peft_tuned - peft_base) / scored:.4f})")
    assert quench_tuned["tokens_scored"] == scored
    assert difference < 1e-3 * max(1.0, scale) and mean_difference < 1e-4, "Quench and PEFT disagree"

    # The other way: the adapter as PEFT itself saves it (its own adapter_config.json) read by Quench.
    resaved = work / "peft-saved"
    shutil.rmtree(resaved, ignore_errors=True)
    peft_model.save_pretrained(resaved)
    resaved_config = json.loads((resaved / "adapter_config.json").read_text())
    print("PEFT's adapter_config.json: layers_to_transform", resaved_config["layers_to_transform"],
          "layers_pattern", resaved_config["layers_pattern"])
    reread = json.loads(run(args.quench, "eval", "--model", base_dir, "--adapter", resaved, "--data", text_file,
                            "--windowing", "disjoint", "--context", context, "--json"))["sets"][0]["tuned"]
    print(f"summed NLL with PEFT's saved adapter: quench {reread['summed_nll']:.5f}")
    assert reread["summed_nll"] == quench_tuned["summed_nll"], "Quench reads PEFT's file differently from its own"
    print("OK: PEFT applies Quench's top-layer adapter as Quench does, and Quench reads PEFT's save of it")


if __name__ == "__main__":
    main()
