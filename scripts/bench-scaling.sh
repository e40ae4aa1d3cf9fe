#!/usr/bin/env bash
# Strong scaling of data-parallel training, side by side with PyTorch DDP in one run (never in CI):
#   `quench bench train` as 1 process × 1 thread, then as 2 MPI ranks × 1 thread (mpirun), against
#   scripts/bench-scaling-peer.py (PyTorch + PEFT, DistributedDataParallel on gloo) as 1 and 2 ranks × 1
#   thread (torchrun), SmolLM2-135M, the same global batch, full fine-tuning and LoRA r8.
# Each configuration runs RUNS times, interleaved with its peer so drift hits everyone alike; the table gives
# medians and the 2-rank / 1-rank ratios. Install the peer venv first (../shared/bench/setup-peers.sh) and
# Open MPI (make setup). Run on a quiet machine with at least 2 cores after `make build`.
# Usage: scripts/bench-scaling.sh [RUNS]   (environment: QUENCH, PEER_VENV, MODEL, BATCH, TIME, STEPS, OUT)
set -euo pipefail
RUNS=${1:-3}
QUENCH=$(realpath "${QUENCH:-.build/release/quench}")
VENV=${PEER_VENV:-/tmp/quench-peer-venv}
MODEL=${MODEL:-$HOME/.cache/quench/models/SmolLM2-135M-Instruct.Q4_1.gguf}
BATCH=${BATCH:-4} TIME=${TIME:-128} STEPS=${STEPS:-3}
PEER=$(dirname "$0")/bench-scaling-peer.py
OUT=${OUT:-/tmp/quench-bench-scaling}
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
TEXT="$OUT/licenses.txt"
cat /usr/share/common-licenses/{GPL-3,LGPL-2.1,Apache-2.0,GFDL-1.3} > "$TEXT"
# mpirun refuses to start ranks as root unless told; each rank one thread on a core of its own.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1

record() {  # record METHOD TOOL RANKS JSON
    python3 -c 'import json,sys; d=json.loads(sys.argv[4]); print(json.dumps({"method": sys.argv[1], "tool": sys.argv[2], "ranks": int(sys.argv[3]), "tokens_per_second": d.get("tokens_per_second", d.get("tokensPerSecond"))}))' \
        "$1" "$2" "$3" "$4" >> "$RESULTS"
}

quench_train() {  # quench_train METHOD RANKS
    local args=(bench train --model "$MODEL" --method "$1" --batch "$BATCH" --time "$TIME" --steps "$STEPS" --json)
    if [ "$2" -eq 1 ]; then
        "$QUENCH" "${args[@]}" 2> "$OUT/last.log"
    else
        mpirun -np "$2" --bind-to core -x OMP_NUM_THREADS "$QUENCH" "${args[@]}" 2> "$OUT/last.log"
    fi
}

peer_train() {  # peer_train METHOD RANKS
    "$VENV/bin/torchrun" --standalone --nproc-per-node "$2" "$PEER" "$MODEL" "$TEXT" "$1" "$BATCH" "$TIME" "$STEPS" \
        2> "$OUT/last-peer.log" | tail -n 1
}

for run in $(seq "$RUNS"); do
    echo "== run $run of $RUNS"
    for method in lora full; do
        for ranks in 1 2; do
            record "$method" quench "$ranks" "$(quench_train "$method" "$ranks")"
            record "$method" pytorch "$ranks" "$(peer_train "$method" "$ranks")"
        done
    done
done

python3 - "$RESULTS" "$BATCH" "$TIME" <<'EOF_TABLE'
import collections, json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
runs = collections.defaultdict(list)
for row in rows:
    runs[(row["method"], row["tool"], row["ranks"])].append(row["tokens_per_second"])
median = lambda key: statistics.median(runs[key]) if runs.get(key) else None
print(f"global batch {sys.argv[2]} x {sys.argv[3]} tokens, every rank 1 thread; tokens/s, medians of {max(map(len, runs.values()))} runs")
print("| work | Quench 1 rank | Quench 2 ranks | Quench 2/1 | PyTorch DDP 1 rank | PyTorch DDP 2 ranks | PyTorch 2/1 | Quench/PyTorch at 2 ranks |")
print("|---|---|---|---|---|---|---|---|")
for method in ("lora", "full"):
    q1, q2 = median((method, "quench", 1)), median((method, "quench", 2))
    p1, p2 = median((method, "pytorch", 1)), median((method, "pytorch", 2))
    ratio = lambda a, b: f"{a / b:.2f}x" if a and b else "n/a"
    fmt = lambda v: f"{v:.1f}" if v else "n/a"
    print(f"| {method} | {fmt(q1)} | {fmt(q2)} | {ratio(q2, q1)} | {fmt(p1)} | {fmt(p2)} | {ratio(p2, p1)} | {ratio(q2, p2)} |")
EOF_TABLE
