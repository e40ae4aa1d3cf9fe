"""PEFT's own numbers for adapter variants on the tiny fixtures, for Quench's PEFTVariantTests.

  /tmp/quench-peer-venv/bin/python scripts/make-peft-variant-reference.py [../shared/fixtures] [Tests/QuenchModelTests/Resources]

Writes one directory per variant under <out>: the adapter directory exactly as PEFT's `save_pretrained` writes it
(adapter_config.json, adapter_model.safetensors; not its model card template) and reference.safetensors with, on
the fixture's batch (input_ids, labels of <fixture>/reference.safetensors, B=2, T=16):
- `logits` (B,T,V) and `loss` (mean cross-entropy over the non-ignored targets) of the adapted model;
- `merged.logits`: the logits of `merge_and_unload()`'s model;
- `plain.logits` and `plain.loss`: the same weights with the variant's option turned off, so a test can tell
  that the option was applied rather than ignored.
Variants (every one with B drawn from N(0, 0.05²) after PEFT's initialisation with seed 0, so it changes the output):
- peft-rslora: tiny-llama, r 4, alpha 8, use_rslora (scale 8/sqrt(4) = 4, plain 8/4 = 2) on q_proj, v_proj, down_proj;
  plain: use_rslora false.
- peft-patterns: tiny-llama, r 4, alpha 8 on q_proj, v_proj, down_proj, with rank_pattern
  {v_proj: 2, model.layers.1.mlp.down_proj: 6} and alpha_pattern {q_proj: 16, layers.0.mlp.down_proj: 2};
  plain: alpha_pattern emptied (the ranks are in the tensors' shapes).
- peft-dora: tiny-llama, r 4, alpha 8, lora_dropout 0.05 (off in evaluation), use_dora on q_proj, v_proj, down_proj,
  the magnitudes scaled by 1 + N(0, 0.1²) per row; plain: the same A and B without DoRA. Also `grad.<tensor>`:
  the gradient of the mean loss with respect to every saved adapter tensor (PEFT's name, eval mode, no dropout).
- peft-dora-gpt2: the same DoRA adapter on tiny-gpt2's c_attn, c_proj and c_fc (Conv1D: fan_in_fan_out, biases).
- peft-dora-rslora-patterns: DoRA with use_rslora, rank_pattern {v_proj: 2} and alpha_pattern {q_proj: 16} on
  tiny-llama's q_proj, v_proj, down_proj (each module's own scale in the norms); plain: the same without DoRA.
Made with torch 2.15.0, transformers 5.25.0, peft 0.21.2 on CPU, float32. Run it by hand with the peer venv
(../shared/bench/setup-peers.sh), never in CI; it prints the losses.
"""
import json, os, sys, tempfile
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch
import torch.nn.functional as F
from peft import LoraConfig, PeftModel, get_peft_model, set_peft_model_state_dict
from peft.utils import get_peft_model_state_dict
from safetensors.torch import load_file, save_file
from transformers import AutoModelForCausalLM

torch.set_num_threads(1)
fixtures = sys.argv[1] if len(sys.argv) > 1 else "../shared/fixtures"
resources = sys.argv[2] if len(sys.argv) > 2 else "Tests/QuenchModelTests/Resources"


def fixture(name):
    folder = os.path.join(fixtures, name)
    reference = load_file(os.path.join(folder, "reference.safetensors"))
    return folder, reference["input_ids"].long(), reference["labels"].long()


def base_model(folder, name):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)
    model.name_or_path = name  # base_model_name_or_path: the fixture, not this machine's path
    return model.eval()


def logits_and_loss(model, ids, labels, grad=False):
    with torch.set_grad_enabled(grad):
        logits = model(input_ids=ids).logits.float()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
    return logits.contiguous(), loss.reshape(1)


def adapted(folder, name, config, magnitude_noise=0.0):
    torch.manual_seed(0)
    model = get_peft_model(base_model(folder, name), config)
    with torch.no_grad():
        for parameter_name, parameter in sorted(model.named_parameters()):
            if "lora_B" in parameter_name:
                parameter.normal_(0, 0.05)
        for parameter_name, parameter in sorted(model.named_parameters()):
            if "lora_magnitude_vector" in parameter_name and magnitude_noise:
                parameter.mul_(1 + magnitude_noise * torch.randn_like(parameter))
    return model.eval()


def plain_copy(folder, name, model, plain_config):
    """The same A and B (and nothing else) under `plain_config`."""
    plain = get_peft_model(base_model(folder, name), plain_config)
    state = {key: value for key, value in get_peft_model_state_dict(model).items() if "lora_magnitude_vector" not in key}
    result = set_peft_model_state_dict(plain, state)
    assert not result.unexpected_keys, result.unexpected_keys
    return plain.eval()


def write(variant, fixture_name, config, plain_config, magnitude_noise=0.0, gradients=False):
    folder, ids, labels = fixture(fixture_name)
    out = os.path.join(resources, variant)
    model = adapted(folder, fixture_name, config, magnitude_noise)
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out)
    os.remove(os.path.join(out, "README.md"))  # PEFT's model card template: nothing the test reads
    tensors = {}
    if gradients:
        _, loss = logits_and_loss(model, ids, labels, grad=True)
        loss.backward()
        for parameter_name, parameter in model.named_parameters():
            if parameter.requires_grad:
                saved = parameter_name.replace(".default", "").replace("lora_magnitude_vector.weight", "lora_magnitude_vector")
                tensors["grad." + saved] = parameter.grad.detach().contiguous()
        model.zero_grad()
    logits, loss = logits_and_loss(model, ids, labels)
    plain_logits, plain_loss = logits_and_loss(plain_copy(folder, fixture_name, model, plain_config), ids, labels)
    reread = PeftModel.from_pretrained(base_model(folder, fixture_name), out).eval()
    assert torch.equal(logits_and_loss(reread, ids, labels)[0], logits), "the saved adapter does not reproduce the logits"
    merged_logits, merged_loss = logits_and_loss(model.merge_and_unload(), ids, labels)
    tensors.update({"logits": logits, "loss": loss, "merged.logits": merged_logits.contiguous(),
                    "plain.logits": plain_logits, "plain.loss": plain_loss})
    save_file(tensors, os.path.join(out, "reference.safetensors"), metadata={"format": "pt"})
    print(f"{variant}: loss {loss.item():.7f}, merged {merged_loss.item():.7f}, plain {plain_loss.item():.7f}, "
          f"max |merged - adapted| logit {(merged_logits - logits).abs().max().item():.2e}")


llama_targets = ["q_proj", "v_proj", "down_proj"]
write("peft-rslora", "tiny-llama",
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, use_rslora=True, task_type="CAUSAL_LM", target_modules=llama_targets),
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM", target_modules=llama_targets))
rank_pattern = {"v_proj": 2, "model.layers.1.mlp.down_proj": 6}
write("peft-patterns", "tiny-llama",
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM", target_modules=llama_targets,
                 rank_pattern=rank_pattern, alpha_pattern={"q_proj": 16, "layers.0.mlp.down_proj": 2}),
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM", target_modules=llama_targets,
                 rank_pattern=rank_pattern))
write("peft-dora", "tiny-llama",
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.05, use_dora=True, task_type="CAUSAL_LM", target_modules=llama_targets),
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM", target_modules=llama_targets),
      magnitude_noise=0.1, gradients=True)
gpt2_targets = ["c_attn", "c_proj", "c_fc"]
write("peft-dora-gpt2", "tiny-gpt2",
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, use_dora=True, task_type="CAUSAL_LM", target_modules=gpt2_targets,
                 fan_in_fan_out=True),
      LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, task_type="CAUSAL_LM", target_modules=gpt2_targets,
                 fan_in_fan_out=True),
      magnitude_noise=0.1)
combined = dict(r=4, lora_alpha=8, lora_dropout=0.0, use_rslora=True, task_type="CAUSAL_LM", target_modules=llama_targets,
                rank_pattern={"v_proj": 2}, alpha_pattern={"q_proj": 16})
write("peft-dora-rslora-patterns", "tiny-llama", LoraConfig(use_dora=True, **combined), LoraConfig(**combined),
      magnitude_noise=0.1)
