"""PEFT's own numbers for an rsLoRA adapter on the tiny-llama fixture, for Quench's PEFTVariantTests.

  /tmp/quench-peer-venv/bin/python scripts/make-peft-variant-reference.py [../shared/fixtures] [Tests/QuenchModelTests/Resources]

Writes <out>/peft-rslora/: the adapter directory exactly as PEFT's `save_pretrained` writes it
(adapter_config.json, adapter_model.safetensors; not its model card template) and reference.safetensors with, on the fixture's batch
(input_ids, labels of tiny-llama/reference.safetensors, B=2, T=16):
- `logits` (B,T,V) and `loss` (mean cross-entropy over the non-ignored targets) of the adapted model;
- `merged.logits`: the logits of `merge_and_unload()`'s model;
- `plain.logits` and `plain.loss`: the same A and B loaded with `use_rslora` false (scale alpha/r, not
  alpha/sqrt(r)), so the test can tell the two scales apart.
The adapter: r 4, alpha 8 (rsLoRA scale 8/sqrt(4) = 4, plain 8/4 = 2), on q_proj, v_proj and down_proj of both
layers, no dropout; A as PEFT initialises it and B drawn from N(0, 0.05²), both with seed 0, so the adapter
changes the output. Made with torch 2.15.0, transformers 5.25.0, peft 0.21.2 on CPU, float32. Run it by hand
with the peer venv (../shared/bench/setup-peers.sh), never in CI; it prints the losses.
"""
import json, os, sys, tempfile
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch
import torch.nn.functional as F
from peft import LoraConfig, PeftModel, get_peft_model
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM

torch.set_num_threads(1)
fixtures = sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures"
out = os.path.join(sys.argv[2] if len(sys.argv) > 2 else "Tests/QuenchModelTests/Resources", "peft-rslora")
folder = os.path.join(fixtures, "tiny-llama")
reference = load_file(os.path.join(folder, "reference.safetensors"))
ids, labels = reference["input_ids"].long(), reference["labels"].long()


def base_model():
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.name_or_path = "tiny-llama"  # base_model_name_or_path: the fixture, not this machine's path
    return model.eval()


@torch.no_grad()
def logits_and_loss(model):
    logits = model(input_ids=ids).logits.float()
    loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
    return logits.contiguous(), loss.reshape(1)


torch.manual_seed(0)
config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, use_rslora=True, task_type="CAUSAL_LM",
                    target_modules=["q_proj", "v_proj", "down_proj"])
model = get_peft_model(base_model(), config)
with torch.no_grad():
    for name, parameter in sorted(model.named_parameters()):
        if "lora_B" in name:
            parameter.normal_(0, 0.05)
os.makedirs(out, exist_ok=True)
model.save_pretrained(out)
os.remove(os.path.join(out, "README.md"))  # PEFT's model card template: nothing the test reads
logits, loss = logits_and_loss(model)
merged_logits, merged_loss = logits_and_loss(model.merge_and_unload())

# The same weights read as plain LoRA: the saved directory with use_rslora turned off.
with tempfile.TemporaryDirectory() as plain_dir:
    for file in ("adapter_model.safetensors", "adapter_config.json"):
        with open(os.path.join(out, file), "rb") as source, open(os.path.join(plain_dir, file), "wb") as copy:
            copy.write(source.read())
    config_path = os.path.join(plain_dir, "adapter_config.json")
    with open(config_path) as file:
        plain_config = json.load(file)
    plain_config["use_rslora"] = False
    with open(config_path, "w") as file:
        json.dump(plain_config, file)
    plain = PeftModel.from_pretrained(base_model(), plain_dir).eval()
    plain_logits, plain_loss = logits_and_loss(plain)

reread = PeftModel.from_pretrained(base_model(), out).eval()
assert torch.equal(logits_and_loss(reread)[0], logits), "the saved adapter does not reproduce the logits"
save_file({"logits": logits, "loss": loss, "merged.logits": merged_logits.contiguous(),
           "plain.logits": plain_logits, "plain.loss": plain_loss},
          os.path.join(out, "reference.safetensors"), metadata={"format": "pt"})
print(f"rsLoRA loss {loss.item():.7f}, merged {merged_loss.item():.7f}, plain LoRA loss {plain_loss.item():.7f}")
print(f"max |merged - adapted| logit {(merged_logits - logits).abs().max().item():.2e}")
