"""transformers' own numbers for the Llama config options Quench computes, for its ArchitectureConfig*Tests.

  /tmp/quench-peer-venv/bin/python scripts/make-architecture-reference.py [Tests/QuenchModelTests/Resources]

Writes one directory per variant under <out>/arch-<variant>: the model exactly as transformers' save_pretrained
writes it (config.json, model.safetensors; random weights, seed 0, biases and norms perturbed so they count) and
reference.safetensors holding, for a batch of random ids (B=2, T=64, a few targets -100):
- `input_ids`, `labels` (next-token targets, already shifted);
- `logits` (B,T,V) and `loss` (mean cross-entropy over the scored targets);
- `plain.loss`: the same weights with the option turned off (no biases, or default RoPE), so a test can tell the
  option was applied rather than ignored;
- `grad.<tensor>`: the gradient of the mean loss with respect to every weight (transformers' names).
Variants on a two-layer Llama (hidden 32, 4 heads of 8, 2 key/value heads, MLP 64, vocabulary 128, 128 positions):
- biases: attention_bias (q, k, v and o biases) and mlp_bias (gate, up, down biases);
- rope-linear: rope_parameters {rope_type: linear, factor: 2};
- rope-llama3: rope_parameters {rope_type: llama3, factor: 8, low_freq_factor: 1, high_freq_factor: 4,
  original_max_position_embeddings: 128}: of the 4 frequencies one is kept, one interpolated, two divided.
Made with torch 2.x, transformers 5.25 on CPU, float32. Run it by hand with the peer venv, never in CI; it prints
the losses.
"""
import os, sys
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch
import torch.nn.functional as F
from safetensors.torch import save_file
from transformers import LlamaConfig, LlamaForCausalLM

torch.set_num_threads(1)
resources = sys.argv[1] if len(sys.argv) > 1 else "Tests/QuenchModelTests/Resources"
SIZES = dict(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
             num_key_value_heads=2, head_dim=8, max_position_embeddings=128, rms_norm_eps=1e-5,
             initializer_range=0.1, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
DEFAULT_ROPE = {"rope_type": "default", "rope_theta": 10000.0}
VARIANTS = {
    "biases": ({"attention_bias": True, "mlp_bias": True}, {}),
    "rope-linear": ({"rope_parameters": {"rope_type": "linear", "factor": 2.0, "rope_theta": 10000.0}},
                    {"rope_parameters": DEFAULT_ROPE}),
    "rope-llama3": ({"rope_parameters": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                         "high_freq_factor": 4.0, "original_max_position_embeddings": 128,
                                         "rope_theta": 10000.0}},
                    {"rope_parameters": DEFAULT_ROPE}),
}


def batch():
    generator = torch.Generator().manual_seed(1)
    ids = torch.randint(0, SIZES["vocab_size"], (2, 64), generator=generator)
    labels = torch.randint(0, SIZES["vocab_size"], (2, 64), generator=generator)
    labels[0, :3] = -100
    labels[1, -2:] = -100
    return ids, labels


def loss_of(model, ids, labels):
    logits = model(input_ids=ids).logits.float()
    return logits, F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


def write(name, options, plain_options):
    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**SIZES, **options)).float()
    with torch.no_grad():  # transformers starts biases at 0 and norms at 1: make them count
        for parameter_name, parameter in model.named_parameters():
            if parameter_name.endswith("bias") or "norm" in parameter_name:
                parameter.add_(0.1 * torch.randn_like(parameter))
    out = os.path.join(resources, f"arch-{name}")
    model.save_pretrained(out)
    ids, labels = batch()
    model.eval()
    logits, loss = loss_of(model, ids, labels)
    loss.backward()
    tensors = {"input_ids": ids.int(), "labels": labels.int(), "logits": logits.detach().contiguous(),
               "loss": loss.detach().reshape(1)}
    for parameter_name, parameter in model.named_parameters():
        tensors["grad." + parameter_name] = parameter.grad.detach().contiguous()
    plain = LlamaForCausalLM(LlamaConfig(**SIZES, **plain_options)).float().eval()
    state = {key: value for key, value in model.state_dict().items() if key in plain.state_dict()}
    plain.load_state_dict(state)
    with torch.no_grad():
        _, plain_loss = loss_of(plain, ids, labels)
    tensors["plain.loss"] = plain_loss.reshape(1)
    save_file(tensors, os.path.join(out, "reference.safetensors"), metadata={"format": "pt"})
    print(f"{name}: loss {loss.item():.6f}, plain {plain_loss.item():.6f}")


for variant, (options, plain_options) in VARIANTS.items():
    write(variant, options, plain_options)
