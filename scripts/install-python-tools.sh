#!/usr/bin/env bash
# Installs the Python reference tools the interop tests check Quench against (idempotent):
# `model_signing verify key` from the OpenSSF model-signing package accepts Quench's model.sig;
# `schemathesis` exercises the registry server against its OpenAPI document;
# `selenium` drives chromium through the registry's web UI in the browser tests.
set -euo pipefail

requirements=(model-signing==1.1.1 pyopenssl schemathesis==4.32.5 selenium==4.27.1)
if python3 -c "import importlib.metadata as m; assert m.version('model-signing') == '1.1.1'; assert m.version('schemathesis') == '4.32.5'; assert m.version('selenium') == '4.27.1'; import OpenSSL" 2>/dev/null; then
    echo "setup: python tools present (${requirements[*]})"
    exit 0
fi
echo "setup: installing ${requirements[*]}"
python3 -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
