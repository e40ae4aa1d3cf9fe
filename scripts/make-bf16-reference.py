"""bf16 mixed-precision references for the tiny fixtures: what ../shared/fixtures/<model>/reference.safetensors
records in float32 (forward logits and loss, every parameter's gradient, five AdamW steps full and, for
tiny-llama, LoRA), computed again in bf16 three ways.

  /tmp/quench-peer-venv/bin/python scripts/make-bf16-reference.py [--perturb SEED] [../shared/fixtures] [Tests/QuenchTrainTests/Resources]

Writes <out>/<model>/bf16-reference.safetensors (tiny-llama, tiny-gpt2) and prints the losses and the largest
differences between the variants. Made with torch 2.15.0, transformers 5.25.0, peft 0.21.2, safetensors 0.8.0
on CPU (AMD EPYC Zen 4, AVX512_BF16). Run it by hand with the peer venv (../shared/bench/setup-peers.sh), never in CI.

Variants, as key prefixes (each holds loss, logits, grad.<name>, full.losses, full.grad_norms, full.final.<name>,
and for tiny-llama lora.losses, lora.grad_norms, lora.final.<module>.{A,B}):
- `autocast.`: `torch.autocast("cpu", dtype=torch.bfloat16)` as a user runs it, with transformers' default
  attention (sdpa): every linear, the LM head and attention's Q·Kᵀ and P·V in bf16, their outputs rounded to bf16.
- `autocast_fp32_attention.`: the same autocast with the attention core (Q·Kᵀ, softmax, P·V) in float32, through
  an attention function registered with transformers' AttentionInterface that casts q, k, v to float32.
- `bf16_inputs.`: Quench's design, no autocast: the inputs of every linear projection and of the LM head rounded
  to bf16 (round to nearest even) with float32 products, sums and outputs, in the forward and in both backward
  products (dX = dY·W, dW = dYᵀ·X, dY rounded too); attention, norms, RoPE, the loss, the LoRA adapters' rank-r
  products and AdamW in float32. A product of two bf16 numbers is exact in float32, so this is oneDNN's bf16
  matmul up to the order of its sums.
Why three: autocast also rounds every linear's output to bf16 (the logits, the activations, and in the backward
the weight gradients), which Quench does not, and that alone moves logits and gradients by 0.5-1.5%, as far as
bf16 moves them from float32. So Quench's test matches `bf16_inputs.` tightly and the two autocast variants
loosely (bf16-sized). Between Quench and `bf16_inputs.` what stays is the order of sums and fp32 kernels differing
by about 1e-6, which flips a bf16 rounding here and there (one flip moves a logit by ~4e-3). `--perturb SEED`
measures that: it multiplies every product input of `bf16_inputs.` by (1 + 1e-6 N(0,1)) before rounding; compare
its output with the committed files (Tests/QuenchTrainTests/BF16Reference.swift quotes the worst of six seeds).
The file also holds the batch (input_ids, labels, I32).
The batch (input_ids, labels), the optimizer (AdamW lr 1e-2, betas 0.9/0.95, eps 1e-8, weight decay 0.1, clip
1.0, norm before clipping recorded) and the LoRA setup (r 4, alpha 8, all projections, A from lora.init.*, B
zero) are the float32 fixtures' (see their README). Master weights, gradients and optimizer state stay float32.
A float32 run of the same code checks the script against the fixtures.
"""
import contextlib, os, sys
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from transformers import AttentionInterface, AutoModelForCausalLM
from transformers.integrations.sdpa_attention import sdpa_attention_forward
from transformers.pytorch_utils import Conv1D

arguments, perturb = sys.argv[1:], None
if arguments[:1] == ["--perturb"]:
    perturb, arguments = int(arguments[1]), arguments[2:]
    if len(arguments) < 2:
        sys.exit("--perturb SEED writes perturbed references: give the fixtures folder and another output folder")
torch.set_num_threads(1); torch.manual_seed(perturb or 0)
fixtures = arguments[0] if len(arguments) > 0 else "../shared/fixtures"
out = arguments[1] if len(arguments) > 1 else "Tests/QuenchTrainTests/Resources"
NOISE = 1e-6 if perturb is not None else 0.0  # relative noise on the product inputs of bf16_inputs (--perturb)
PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def fp32_attention(module, query, key, value, attention_mask, **kwargs):
    """transformers' sdpa attention with autocast off and q, k, v in float32."""
    with torch.autocast("cpu", enabled=False):
        mask = attention_mask if attention_mask is None or attention_mask.dtype == torch.bool else attention_mask.float()
        return sdpa_attention_forward(module, query.float(), key.float(), value.float(), mask, **kwargs)


AttentionInterface.register("fp32_sdpa", fp32_attention)


def bf16(t):
    """t rounded to the nearest bf16 (ties to even), kept in float32."""
    return t.to(torch.bfloat16).to(torch.float32)


def jittered(t):
    """t, or with --perturb t·(1 + 1e-6·N(0,1)): an fp32 kernel that differs in the last bits."""
    return t * (1 + NOISE * torch.randn_like(t)) if NOISE else t


class BF16InputsLinear(torch.autograd.Function):
    """y = x·Wᵀ (+ b) with x and W rounded to bf16, float32 sums and output; dY rounded in both backward products."""

    @staticmethod
    def forward(ctx, x, weight, bias):
        xb, wb = bf16(jittered(x)), bf16(weight)
        ctx.save_for_backward(xb, wb)
        ctx.has_bias = bias is not None
        y = xb @ wb.t()
        return y + bias if bias is not None else y

    @staticmethod
    def backward(ctx, dy):
        xb, wb = ctx.saved_tensors
        dyb = bf16(jittered(dy))
        dx = dyb @ wb
        dw = dyb.reshape(-1, dy.shape[-1]).t() @ xb.reshape(-1, xb.shape[-1])
        db = dy.reshape(-1, dy.shape[-1]).sum(0) if ctx.has_bias else None
        return dx, dw, db


FP32_WEIGHTS = set()  # ids of the LoRA matrices, whose products bf16_inputs keeps in float32


@contextlib.contextmanager
def bf16_inputs():
    """Routes nn.Linear (F.linear, but the LoRA matrices') and GPT-2's Conv1D through BF16InputsLinear."""
    linear, conv1d = F.linear, Conv1D.forward
    F.linear = lambda x, w, b=None: linear(x, w, b) if id(w) in FP32_WEIGHTS else BF16InputsLinear.apply(x, w, b)
    Conv1D.forward = lambda self, x: BF16InputsLinear.apply(x, self.weight.t(), self.bias)
    try:
        yield
    finally:
        F.linear, Conv1D.forward = linear, conv1d


VARIANTS = {  # name: (attention implementation, context the forward and backward run in)
    "fp32": ("sdpa", contextlib.nullcontext),
    "autocast": ("sdpa", lambda: torch.autocast("cpu", dtype=torch.bfloat16)),
    "autocast_fp32_attention": ("fp32_sdpa", lambda: torch.autocast("cpu", dtype=torch.bfloat16)),
    "bf16_inputs": ("sdpa", bf16_inputs),
}


def load(folder, attention):
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32, attn_implementation=attention)
    assert model.config._attn_implementation == attention
    return model


def loss_and_logits(model, batch, context):
    ids, labels = batch
    with context():
        logits = model(input_ids=ids).logits
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)
        loss.backward()
    return loss, logits.float()


def train(model, params, batch, context):
    """Five AdamW steps; the losses and the grad norms before clipping."""
    opt = torch.optim.AdamW(params, lr=1e-2, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.1)
    losses, norms = [], []
    for _ in range(5):
        opt.zero_grad(set_to_none=True)
        loss, _ = loss_and_logits(model, batch, context)
        losses.append(loss.item())
        norms.append(torch.nn.utils.clip_grad_norm_(params, 1.0).item())
        opt.step()
    return torch.tensor(losses), torch.tensor(norms)


def variant(name, folder, reference, batch):
    attention, context = VARIANTS[name]
    record = {}
    model = load(folder, attention)
    loss, logits = loss_and_logits(model, batch, context)
    record["loss"], record["logits"] = loss.detach().reshape(1), logits.detach()
    for pname, p in model.named_parameters():
        record["grad." + pname] = p.grad.detach().clone()
    model = load(folder, attention)
    record["full.losses"], record["full.grad_norms"] = train(model, list(model.parameters()), batch, context)
    probe = next(k for k in reference if k.startswith("full.final."))[len("full.final."):]
    record["full.final." + probe] = dict(model.named_parameters())[probe].detach().clone()
    if "lora.losses" in reference:
        from peft import LoraConfig, get_peft_model
        model = get_peft_model(load(folder, attention), LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0,
                                                                   target_modules=PROJECTIONS))
        modules = {n[len("base_model.model."):]: m for n, m in model.named_modules() if n.split(".")[-1] in PROJECTIONS}
        with torch.no_grad():
            for module_name, m in modules.items():
                m.lora_A["default"].weight.copy_(reference[f"lora.init.{module_name}.A"])
                assert not m.lora_B["default"].weight.any()
                FP32_WEIGHTS.update({id(m.lora_A["default"].weight), id(m.lora_B["default"].weight)})
        params = [p for p in model.parameters() if p.requires_grad]
        assert len(params) == 2 * len(modules) == 28
        record["lora.losses"], record["lora.grad_norms"] = train(model, params, batch, context)
        FP32_WEIGHTS.clear()
        probe = next(k for k in reference if k.startswith("lora.final.")).rsplit(".", 1)[0][len("lora.final."):]
        record[f"lora.final.{probe}.A"] = modules[probe].lora_A["default"].weight.detach().clone()
        record[f"lora.final.{probe}.B"] = modules[probe].lora_B["default"].weight.detach().clone()
    return {k: v.float().contiguous() for k, v in record.items()}


def worst(a, b, keys):
    """Largest relative difference (‖a−b‖/‖b‖) over keys, and its key."""
    return max((((a[k] - b[k]).norm() / b[k].norm().clamp_min(1e-12)).item(), k) for k in keys)


for name in ["tiny-llama", "tiny-gpt2"]:
    folder = os.path.join(fixtures, name)
    reference = load_file(os.path.join(folder, "reference.safetensors"))
    batch = (reference["input_ids"].long(), reference["labels"].long())
    runs = {v: variant(v, folder, reference, batch) for v in VARIANTS}
    keys = sorted(runs["fp32"])
    assert all(k in reference for k in keys), [k for k in keys if k not in reference]
    print(f"{name} (attention: {VARIANTS['autocast'][0]} by default)")
    print(f"  fp32 script vs fixture: max |Δ| {max((runs['fp32'][k] - reference[k]).abs().max().item() for k in keys):.2e}")
    for v in runs:
        print(f"  {v:24s} full {[round(x, 4) for x in runs[v]['full.losses'].tolist()]}"
              + (f" lora {[round(x, 4) for x in runs[v]['lora.losses'].tolist()]}" if "lora.losses" in runs[v] else ""))
    for a, b in [("fp32", "bf16_inputs"), ("autocast_fp32_attention", "bf16_inputs"), ("autocast", "bf16_inputs"),
                 ("autocast", "autocast_fp32_attention"), ("fp32", "autocast_fp32_attention")]:
        print(f"  {a} vs {b}:")
        for group in ["loss", "logits", "grad.", "full.losses", "full.grad_norms", "full.final.", "lora.losses",
                      "lora.grad_norms", "lora.final."]:
            ks = [k for k in keys if k == group or (group.endswith(".") and k.startswith(group))]
            if ks:
                rel, k = worst(runs[a], runs[b], ks)
                print(f"    {group:16s} worst relative {rel:.2e} ({k})")
    tensors = {"input_ids": reference["input_ids"], "labels": reference["labels"]}
    for v in ["autocast", "autocast_fp32_attention", "bf16_inputs"]:
        tensors.update({f"{v}.{k}": t for k, t in runs[v].items()})
    os.makedirs(os.path.join(out, name), exist_ok=True)
    save_file(tensors, os.path.join(out, name, "bf16-reference.safetensors"))
