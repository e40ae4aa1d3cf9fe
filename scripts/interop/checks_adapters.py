"""LoRA adapters both ways on the imported demo model: PEFT's adapters of every variant evaluated and merged by
Quench, and Quench-trained adapters loaded by PEFT. Each adapter is compared with PEFT applying it live:
`quench eval --adapter`'s mean loss, and `quench merge`'s model run by transformers (logits)."""
import json

import torch
from peft import LoraConfig, PeftModel, get_peft_model
from peft.utils import get_peft_model_state_dict
from safetensors.torch import load_file

import checks_architectures
from common import CONTEXT, agree, compare, disjoint_nll, load_model, logits, loss_against_quench, slug

REPO_DATA = "jobs/data/temperature-chat.jsonl"
TARGETS = ["q_proj", "v_proj", "down_proj"]
GPT2_TARGETS = ["c_attn", "c_proj", "c_fc"]
# Module names as PEFT matches them: a bare name, a dotted suffix and a full name.
PATTERNS = {"rank_pattern": {"v_proj": 4, "model.layers.1.self_attn.q_proj": 2},
            "alpha_pattern": {"down_proj": 32, "layers.0.self_attn.q_proj": 4}}
# Name, LoraConfig options PEFT makes the adapter with, the same as Quench's training `lora` section.
VARIANTS = [
    ("plain LoRA", {}),
    ("rsLoRA", {"use_rslora": True}),
    ("rank/alpha patterns", PATTERNS),
    ("DoRA", {"use_dora": True}),
    ("DoRA with rsLoRA and patterns", {"use_dora": True, "use_rslora": True, **PATTERNS}),
]
LOSS_TOLERANCE = 3e-5   # mean loss, nats (the base model alone differs by about 1e-5 over 30 float32 layers)
LOGIT_TOLERANCE = 1e-3  # max |logit|; trained adapters push logits to about 30


def peft_adapter(context, name, options, base=None, targets=TARGETS):
    """A PEFT adapter on `targets` of `base` (default: the imported demo model) made by `get_peft_model` with B
    (and DoRA's magnitude) drawn at random, so it changes the output, saved by `save_pretrained`."""
    def make():
        torch.manual_seed(0)
        config = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=targets, task_type="CAUSAL_LM",
                            **options)
        model = get_peft_model(load_model(base or context.base), config)
        with torch.no_grad():
            for parameter_name, parameter in model.named_parameters():
                if "lora_B" in parameter_name:
                    parameter.normal_(0, 0.01)
                elif "lora_magnitude_vector" in parameter_name:
                    parameter.mul_(1 + 0.05 * torch.randn_like(parameter))
        folder = context.fresh(f"peft-{slug(name)}")
        model.save_pretrained(folder)
        return folder
    return context.once(("peft adapter", name, str(base)), make)


def quench_adapter(context, name, options, base=None):
    """The adapter `quench train` writes on `base` (default: the imported demo model) after four LoRA steps at
    a high learning rate (B far from zero), with `options` in its `lora` section (plain LoRA on the top two
    layers only: PEFT's layers_to_transform)."""
    def make():
        run = context.fresh(f"train-{slug(name)}")
        lora = {"rank": 8, "alpha": 16, **(options or {"layers": 2})}
        config = context.work / f"train-{slug(name)}.yaml"
        config.write_text(f"""\
model: {base or context.base}
method: lora
output: {run}
lora: {json.dumps(lora)}
data: {{train: {context.repo / REPO_DATA}, format: chat, max_sequence_length: 96}}
optimizer: {{learning_rate: 1.0e-2}}
schedule: {{kind: constant}}
batch_size: 2
max_steps: 4
""")
        context.quench.run("train", config)
        return run / "adapter"
    return context.once(("quench adapter", name, str(base)), make)


def peft_reference(context, adapter, base=None):
    """PEFT's model with `adapter` loaded from disk onto `base` (default: the imported demo model), and its
    numbers on TEXT: (Σ NLL, targets) and logits with and without the adapter."""
    def make():
        model = PeftModel.from_pretrained(load_model(base or context.base), adapter).eval()
        unread = unread_tensors(model, adapter)
        if unread:
            raise AssertionError(f"PEFT did not load {unread} as saved in {adapter}")
        ids = context.ids(base or context.base)
        with model.disable_adapter():
            base_nll, base_logits = disjoint_nll(model, ids)[0], logits(model, ids)
        nll, targets = disjoint_nll(model, ids)
        return {"nll": nll, "targets": targets, "logits": logits(model, ids), "base_nll": base_nll,
                "base_logits": base_logits, "ids": ids}
    return context.once(("peft reference", str(adapter)), make)


def unread_tensors(model, adapter):
    """Adapter tensors whose names or values PEFT's loaded model does not have (missing or unexpected keys)."""
    saved = load_file(adapter / "adapter_model.safetensors")
    loaded = get_peft_model_state_dict(model)
    names = sorted(set(saved) ^ set(loaded))
    names += sorted(name for name in set(saved) & set(loaded) if not torch.equal(saved[name], loaded[name].cpu()))
    return ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def eval_agrees(context, adapter, base=None):
    """`quench eval --adapter` against PEFT: mean loss with the adapter."""
    reference = peft_reference(context, adapter, base)
    summary = context.quench.eval_sets(base or context.base, context.text_file, CONTEXT, "--adapter", adapter)
    difference = loss_against_quench(summary["tuned"], reference["nll"], reference["targets"])
    base_difference = loss_against_quench(summary["base"], reference["base_nll"], reference["targets"])
    effect = abs(reference["nll"] - reference["base_nll"]) / reference["targets"]
    return compare(difference, LOSS_TOLERANCE, f"base model {base_difference:.1e}", effect)


def merge_agrees(context, adapter, base=None):
    """`quench merge`'s directory run by transformers against PEFT's live adapter: logits."""
    reference = peft_reference(context, adapter, base)
    merged_logits = logits(load_model(merged(context, adapter, base)), reference["ids"])
    difference = (merged_logits - reference["logits"]).abs().max().item()
    effect = (reference["logits"] - reference["base_logits"]).abs().max().item()
    return compare(difference, LOGIT_TOLERANCE, "logits", effect)


def merged(context, adapter, base=None):
    """The directory `quench merge` writes for `adapter` on `base` (default: the imported demo model)."""
    name = adapter.parent.name if adapter.name == "adapter" else adapter.name
    return context.output(f"merged-{name}", "merge", "--model", base or context.base, "--adapter", adapter)


def adapter_config_keys(context):
    """A Quench-trained adapter_config.json has every key PEFT's LoraConfig saves, and names the local base
    model by its path."""
    adapter = quench_adapter(context, "plain LoRA", {})
    written = json.loads((adapter / "adapter_config.json").read_text())
    expected = set(LoraConfig(target_modules=TARGETS).to_dict())
    missing = sorted(expected - set(written))
    problems = [f"missing: {', '.join(missing)}"] if missing else []
    if written.get("base_model_name_or_path") != str(context.base):  # a local base: its path, not a hub id
        problems.append(f"base_model_name_or_path {written.get('base_model_name_or_path')!r}, not {str(context.base)!r}")
    return agree(not problems, "; ".join(problems) or f"{len(expected)} keys, base_model_name_or_path the local path")


def checks():
    """(name, check) pairs, both ways for every variant."""
    found = []
    for name, options in VARIANTS:
        made_by_peft = lambda context, n=name, o=options: peft_adapter(context, n, o)
        made_by_quench = lambda context, n=name, o=options: quench_adapter(context, n, o)
        for source, make in (("PEFT", made_by_peft), ("quench train", made_by_quench)):
            found.append((f"{name} by {source}: quench eval loss vs PEFT",
                          lambda context, m=make: eval_agrees(context, m(context))))
            found.append((f"{name} by {source}: quench merge logits vs PEFT",
                          lambda context, m=make: merge_agrees(context, m(context))))
    found.append(("quench train adapter_config.json: PEFT's key set, base model path", adapter_config_keys))
    made_by_peft = lambda context: peft_adapter(context, "GPT-2", {"fan_in_fan_out": True}, tiny_gpt2(context),
                                                GPT2_TARGETS)
    made_by_quench = lambda context: quench_adapter(context, "GPT-2", {}, tiny_gpt2(context))
    for source, make in (("PEFT", made_by_peft), ("quench train", made_by_quench)):
        found.append((f"plain LoRA on tiny GPT-2 (Conv1D) by {source}: quench eval loss vs PEFT",
                      lambda context, m=make: eval_agrees(context, m(context), tiny_gpt2(context))))
        found.append((f"plain LoRA on tiny GPT-2 (Conv1D) by {source}: quench merge logits vs PEFT",
                      lambda context, m=make: merge_agrees(context, m(context), tiny_gpt2(context))))
    return found


def tiny_gpt2(context):
    """The tiny GPT-2 transformers saves (Conv1D projections, stored transposed)."""
    return checks_architectures.tiny(context, "GPT-2")
