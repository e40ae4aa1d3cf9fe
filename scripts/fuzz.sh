#!/usr/bin/env bash
# Coverage-guided fuzzing of Quench's parsers with libFuzzer (README, "Fuzzing").
#
#   scripts/fuzz.sh build                    builds .build-fuzz/release/quench-fuzz (-sanitize=fuzzer,address)
#   scripts/fuzz.sh seeds                    (re)writes the seeds from the fixtures into .build-fuzz/seeds/
#   scripts/fuzz.sh run SECONDS [TARGET...]  fuzzes each target (all by default) for SECONDS, then prints
#                                            executions, executions per second and crashes per target
#
# Each target keeps its corpus in .build-fuzz/corpus/<target>/ (it grows from run to run) and writes
# what it finds (crash-*, oom-*, timeout-*, leak-*) to .build-fuzz/artifacts/<target>/. Reproduce one
# with QUENCH_FUZZ_TARGET=<target> .build-fuzz/release/quench-fuzz <file>. FUZZ_FLAGS adds libFuzzer
# flags (e.g. FUZZ_FLAGS=-jobs=4). `run` exits 1 when any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=.build-fuzz
binary=$scratch/release/quench-fuzz
fixtures=${QUENCH_FIXTURES:-$(cd .. && pwd)/shared/fixtures}
# A hostile size must be refused, not allocated: more than this is reported as an oom finding.
memory_limit_mb=2048
# A hostile file must fail fast, not hang: one input taking longer is reported as a timeout.
input_timeout_seconds=20

build() {
    QUENCH_FUZZ=1 swift build --scratch-path "$scratch" -c release -Xswiftc -sanitize=fuzzer,address \
        --product quench-fuzz
}

targets() {
    QUENCH_FUZZ_LIST_TARGETS=1 "$binary"
}

# Copies `files` into seed folder $1, skipping missing ones.
copy_seeds() {
    local folder=$1
    shift
    mkdir -p "$folder"
    for file in "$@"; do
        if [ -f "$file" ]; then cp "$file" "$folder/"; fi
    done
}

# Cuts each JSONL file into seeds of a few lines: small inputs keep executions fast.
jsonl_seeds() {
    local folder=$1
    shift
    mkdir -p "$folder"
    for file in "$@"; do
        [ -f "$file" ] || continue
        split --lines=3 --numeric-suffixes --suffix-length=3 "$file" "$folder/$(basename "$file" .jsonl)-"
    done
}

# One small safetensors file: header JSON $2, then $3 bytes of zeros.
safetensors_seed() {
    local file=$1 header=$2 size=$3
    python3 - "$file" "$header" "$size" <<'PY'
import struct, sys
path, header, size = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
with open(path, "wb") as out:
    out.write(struct.pack("<Q", len(header)) + header + bytes(size))
PY
}

seeds() {
    rm -rf "$scratch/seeds"
    mkdir -p "$scratch/seeds"
    QUENCH_FUZZ_WRITE_SEEDS="$scratch/seeds" QUENCH_FIXTURES="$fixtures" "$binary"
    local folder=$scratch/seeds/safetensors
    copy_seeds "$folder" "$fixtures"/*/*.safetensors
    safetensors_seed "$folder/small-f32.st" '{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}' 16
    safetensors_seed "$folder/small-mixed.st" \
        '{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[6,8]},"c":{"dtype":"I32","shape":[2],"data_offsets":[8,16]},"d":{"dtype":"I64","shape":[],"data_offsets":[16,24]}}' 24
    copy_seeds "$scratch/seeds/job-spec" jobs/*.yaml
    copy_seeds "$scratch/seeds/training-config" jobs/training/*.yaml
    copy_seeds "$scratch/seeds/gate-config" evaluations/*.yaml
    copy_seeds "$scratch/seeds/policy" configs/governance.yaml
    copy_seeds "$scratch/seeds/compute-config" configs/compute.yaml
    jsonl_seeds "$scratch/seeds/jsonl" jobs/data/*.jsonl evaluations/*.jsonl evaluations/quickstart/*.jsonl
    jsonl_seeds "$scratch/seeds/pii-scan" jobs/data/*.jsonl evaluations/*.jsonl evaluations/quickstart/*.jsonl
}

# Fuzzes target $1 for $2 seconds; prints one summary line; returns 1 when it found something.
fuzz_target() {
    local target=$1 seconds=$2
    local corpus=$scratch/corpus/$target seed_folder=$scratch/seeds/$target
    local artifacts=$scratch/artifacts/$target log=$scratch/logs/$target.log
    mkdir -p "$corpus" "$seed_folder" "$artifacts" "$scratch/logs"
    local before
    before=$(find "$artifacts" -type f | wc -l)
    local status=0
    # shellcheck disable=SC2086  # FUZZ_FLAGS is a list of flags
    LSAN_OPTIONS="suppressions=Fuzz/lsan-suppressions.txt:print_suppressions=0" \
        QUENCH_FUZZ_TARGET=$target "$binary" "$corpus" "$seed_folder" \
        -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=$memory_limit_mb \
        -malloc_limit_mb=$memory_limit_mb -timeout=$input_timeout_seconds -artifact_prefix="$artifacts/" \
        ${FUZZ_FLAGS:-} >"$log" 2>&1 || status=$?
    local executions rate found
    executions=$(awk '/stat::number_of_executed_units:/ { n += $2 } END { print n + 0 }' "$log")
    rate=$(awk '/stat::average_exec_per_sec:/ { n += $2 } END { print n + 0 }' "$log")
    found=$(( $(find "$artifacts" -type f | wc -l) - before ))
    printf '%-16s %12s %10s %8s %8s  %s\n' "$target" "$executions" "$rate" "$found" "$status" "$log"
    [ "$status" -eq 0 ] && [ "$found" -eq 0 ]
}

run() {
    local seconds=${1:?usage: scripts/fuzz.sh run SECONDS [TARGET...]}
    shift
    [ -x "$binary" ] || { echo "fuzz: $binary is missing; run scripts/fuzz.sh build first" >&2; exit 2; }
    local selected=("$@")
    if [ ${#selected[@]} -eq 0 ]; then mapfile -t selected < <(targets); fi
    seeds
    printf '%-16s %12s %10s %8s %8s  %s\n' target executions exec/s findings status log
    local failed=0
    for target in "${selected[@]}"; do
        fuzz_target "$target" "$seconds" || failed=1
    done
    if [ "$failed" -ne 0 ]; then
        echo "fuzz: findings are in $scratch/artifacts/<target>/ (the log beside each names the stack)" >&2
    fi
    return $failed
}

case "${1:-}" in
    build) build ;;
    seeds) seeds ;;
    run) shift; run "$@" ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
