"""PyTorch DistributedDataParallel (gloo) on the same work as `quench bench train` under mpirun: the peer
for strong scaling. Launch with torchrun (never in CI):

  torchrun --standalone --nproc-per-node N scripts/bench-scaling-peer.py GGUF TEXT full|lora BATCH TIME STEPS

Each of the N ranks runs one thread, pinned to core `rank` when N > 1 (as `mpirun --bind-to core` pins
Quench's ranks), and computes BATCH/N of the BATCH rows of every step; gradients are
averaged by DDP's bucketed allreduce, overlapped with backward. One rank (N = 1) runs without DDP, as a
plain single-process trainer would. Prints one JSON line from rank 0: tokens/s of the global batch
(median step after one warm-up step) and that rank's peak RSS.
"""
import json, os, resource, statistics, sys, time
os.environ.setdefault("HF_HUB_OFFLINE", "1"); os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
import torch
import torch.distributed as dist
from transformers import AutoModelForCausalLM, AutoTokenizer

torch.set_num_threads(1); torch.manual_seed(0)
gguf, text, method = sys.argv[1:4]
batch, T, steps = map(int, sys.argv[4:7])
ranks, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
if batch % ranks:
    sys.exit(f"BATCH {batch} must be a multiple of the {ranks} ranks")
if ranks > 1:
    os.sched_setaffinity(0, {rank % os.cpu_count()})
if ranks > 1:
    dist.init_process_group("gloo")
d, f = os.path.dirname(gguf), os.path.basename(gguf)
tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32)
if method == "lora":
    from peft import LoraConfig, get_peft_model
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
ids = tok(open(text, encoding="utf-8").read(), add_special_tokens=False).input_ids
local = batch // ranks
data = torch.tensor(ids[:batch * T]).view(batch, T)[rank * local:(rank + 1) * local]
model.train()
if ranks > 1:
    model = torch.nn.parallel.DistributedDataParallel(model)
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)

def step():
    if ranks > 1:
        dist.barrier()
    t0 = time.perf_counter()
    out = model(input_ids=data, labels=data)
    out.loss.backward()
    torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
    opt.step(); opt.zero_grad(set_to_none=True)
    return time.perf_counter() - t0

step()
secs = [step() for _ in range(steps)]
if rank == 0:
    print(json.dumps({"tokens_per_second": batch * T / statistics.median(secs), "ranks": ranks,
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
if ranks > 1:
    dist.destroy_process_group()
