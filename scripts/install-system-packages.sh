#!/usr/bin/env bash
# Installs the Debian packages Quench builds and runs against, only those missing (idempotent).
# Uses sudo only when not root.
set -euo pipefail

packages=(
    libblas-dev            # cblas.h and -lblas for the CBLAS target
    libopenblas0-pthread   # makes libblas.so.3 resolve to OpenBLAS at run time (about 10x the reference BLAS)
    libcurl4-openssl-dev   # curl/curl.h and -lcurl for the CCurl target
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "setup: system packages present (${packages[*]})"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
fi
echo "setup: installing ${missing[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
