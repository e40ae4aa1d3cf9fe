#!/usr/bin/env bash
# Renders an HTML run report with headless Chromium (Debian's `chromium`) into a PNG, to check that
# the self-contained page (inline CSS and SVG) renders: scripts/screenshot-report.sh report.html out.png
set -euo pipefail
html=$(realpath "$1")
png=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "screenshot-report: chromium is not installed (make setup installs it)" >&2
    exit 2
fi
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --window-size=1100,1800 --screenshot="$png" "file://$html" >/dev/null 2>&1
test -s "$png"
