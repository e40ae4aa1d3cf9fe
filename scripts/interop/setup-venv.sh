#!/usr/bin/env bash
# Creates the venv `make interop` runs in, outside the repository, or pins an existing one to
# requirements.txt (PyPI's torch wheel brings CUDA libraries too: about 6 GB, a few minutes).
#   scripts/interop/setup-venv.sh VENV
# A venv that already has the pinned versions (e.g. /tmp/quench-peer-venv) is used as it is.
set -euo pipefail
venv=${1:?usage: setup-venv.sh VENV}
requirements="$(cd "$(dirname "$0")" && pwd)/requirements.txt"

pinned() {
    "$venv/bin/python" - "$requirements" <<'PY'
import importlib.metadata, sys
from packaging.requirements import Requirement
for line in open(sys.argv[1]):
    if line.strip() and not line.startswith("#"):
        requirement = Requirement(line.strip())
        version = importlib.metadata.version(requirement.name)
        if version.split("+")[0] not in requirement.specifier:
            sys.exit(f"{requirement.name} {version} is not {requirement.specifier}")
PY
}

if [ -x "$venv/bin/python" ] && pinned 2>/dev/null; then
    echo "interop: $venv has the pinned tools"
    exit 0
fi
echo "interop: installing $(grep -v '^#' "$requirements" | tr '\n' ' ')into $venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
pinned
