#!/usr/bin/env bash
# Quench against its peers in fp32 and bf16, side by side in one run (never in CI):
#   training tokens/s and peak RSS: `quench bench train` vs PyTorch (+PEFT) fp32 and bf16 autocast
#     (../shared/bench/torch_peer.py), SmolLM2-135M, batch 4 x 256, full and LoRA r8;
#   the perplexity job: `quench eval --windowing llama-cpp --context 512` vs `llama-perplexity -c 512 -t 2`
#     on F32 and BF16 GGUFs, timed as whole processes.
# Each configuration runs RUNS times, interleaved with its peers so drift hits everyone alike; the table
# gives medians. Install the peers first: ../shared/bench/setup-peers.sh. Run on a quiet machine after
# `swift build -c release`.
# Usage: scripts/bench-precision.sh [RUNS]   (environment: QUENCH, PEER_VENV, PEER_LLAMACPP, MODEL, OUT)
set -euo pipefail
RUNS=${1:-3}
QUENCH=$(realpath "${QUENCH:-.build/release/quench}")
VENV=${PEER_VENV:-/tmp/quench-peer-venv}
LLAMA=${PEER_LLAMACPP:-/tmp/quench-llamacpp}/build/bin
MODEL=${MODEL:-$HOME/.cache/quench/models/SmolLM2-135M-Instruct.Q4_1.gguf}
PEER=$(dirname "$0")/../../shared/bench/torch_peer.py
OUT=${OUT:-/tmp/quench-bench-precision}
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"

# The evaluation text: four of Debian's license texts, 96 KB of English.
TEXT="$OUT/licenses.txt"
cat /usr/share/common-licenses/{GPL-3,LGPL-2.1,Apache-2.0,GFDL-1.3} > "$TEXT"
for type in F32 BF16; do
    [ -f "$OUT/smollm2-$type.gguf" ] || "$LLAMA/llama-quantize" --allow-requantize "$MODEL" "$OUT/smollm2-$type.gguf" "$type" \
        > "$OUT/quantize-$type.log" 2>&1
done

record() {  # record WORK TOOL PRECISION JSON
    python3 -c 'import json,sys; d=json.loads(sys.argv[4]); d.update(work=sys.argv[1], tool=sys.argv[2], precision=sys.argv[3]); print(json.dumps(d))' \
        "$1" "$2" "$3" "$4" >> "$RESULTS"
}

seconds() {  # seconds COMMAND...: wall time of a whole process, its output kept in $OUT/last.log
    local start end
    start=$(date +%s.%N)
    "$@" > "$OUT/last.log" 2>&1
    end=$(date +%s.%N)
    python3 -c "print($end - $start)"
}

for run in $(seq "$RUNS"); do
    echo "== run $run of $RUNS"
    for method in full lora; do
        for precision in fp32 bf16; do
            json=$("$QUENCH" bench train --model "$MODEL" --method "$method" --precision "$precision" --json)
            record "train-$method" quench "$precision" \
                "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(json.dumps({"tokens_per_second": d["tokensPerSecond"], "peak_rss_mib": d["peakResidentMegabytes"]}))' "$json")"
            record "train-$method" pytorch "$precision" \
                "$("$VENV/bin/python" "$PEER" train "$MODEL" "$TEXT" "$method" 4 256 3 "$precision" | tail -n 1)"
        done
    done
    for precision in fp32 bf16; do
        s=$(seconds "$QUENCH" eval --model "$MODEL" --data "$TEXT" --windowing llama-cpp --context 512 --precision "$precision")
        record perplexity quench "$precision" "{\"seconds\": $s}"
    done
    for type in F32 BF16; do
        s=$(seconds "$LLAMA/llama-perplexity" -m "$OUT/smollm2-$type.gguf" -f "$TEXT" -c 512 -t 2)
        record perplexity llama.cpp "$([ "$type" = F32 ] && echo fp32 || echo bf16)" "{\"seconds\": $s}"
    done
done

python3 - "$RESULTS" <<'EOF'
import collections, json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
groups = collections.defaultdict(list)
for row in rows:
    groups[(row["work"], row["precision"], row["tool"])].append(row)
def median(key, work, precision, tool):
    values = [r[key] for r in groups.get((work, precision, tool), []) if r.get(key) is not None]
    return statistics.median(values) if values else None
print("| work | precision | Quench | peer | Quench / peer | Quench peak RSS MiB | peer peak RSS MiB |")
print("|---|---|---|---|---|---|---|")
for work in ("train-full", "train-lora"):
    for precision in ("fp32", "bf16"):
        q, p = median("tokens_per_second", work, precision, "quench"), median("tokens_per_second", work, precision, "pytorch")
        qr, pr = median("peak_rss_mib", work, precision, "quench"), median("peak_rss_mib", work, precision, "pytorch")
        if q and p:
            print(f"| {work} tokens/s | {precision} | {q:.0f} | PyTorch {p:.0f} | {q / p:.2f}x | {qr:.0f} | {pr:.0f} |")
for precision in ("fp32", "bf16"):
    q, p = median("seconds", "perplexity", precision, "quench"), median("seconds", "perplexity", precision, "llama.cpp")
    if q and p:
        print(f"| perplexity job s | {precision} | {q:.1f} | llama.cpp {p:.1f} | {p / q:.2f}x faster | | |")
print(f"(medians of {len(groups.get(('perplexity', 'fp32', 'quench'), []))} runs; raw results in {sys.argv[1]})")
EOF
