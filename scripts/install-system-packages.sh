#!/usr/bin/env bash
# Installs the Debian packages Quench builds and runs against, only those missing (idempotent).
# Uses sudo only when not root.
set -euo pipefail

packages=(
    libblas-dev            # cblas.h and -lblas for the CBLAS target
    libopenblas0-pthread   # makes libblas.so.3 resolve to OpenBLAS at run time (about 10x the reference BLAS)
    libcurl4-openssl-dev   # curl/curl.h and -lcurl for the CCurl target
    libdnnl-dev            # oneDNN (dnnl.h, -ldnnl) for bf16 matrix products, the CDNNL target
    libgomp1               # GCC's OpenMP runtime: oneDNN's threads and Quench's one compute team (COpenMP)
    libsqlite3-dev         # SQLite for GRDB (the registry's embedded store)
    postgresql             # throwaway clusters on loopback for the registry's PostgreSQL store tests
    openssl                # test CA and certificates for the loopback hub
    nginx-light            # the loopback HTTPS hub and CDN in the download tests
    curl                   # the command-line peer in the download benchmark
    wrk                    # the HTTP load generator beside quench bench registry
    openssh-server         # sshd on loopback for the SSH dispatch tests
    openssh-client         # ssh/scp used by the SSH backend
    rsync                  # file transfer for the SSH backend
    slurm-wlm              # slurmctld/slurmd single-node cluster for the Slurm dispatch tests
    munge                  # Slurm's authentication daemon
    chromium               # headless screenshot of the HTML run report; the browser of the registry UI tests
    chromium-driver        # chromedriver, through which Selenium drives chromium in the registry UI tests
    openmpi-bin            # mpirun and libmpi.so.40, which quench train loads at run time for data-parallel ranks
    libpmix-dev            # libpmix.so where Slurm's mpi_pmix plugin looks for it (srun --mpi=pmix)
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
