# Quench: `make demo` runs the main job, `make test` builds and runs every test.
# Both install what is missing first (`make setup`: Debian packages, and the demo model into
# ~/.cache/quench/models, outside the repository).

SWIFT ?= swift
# One optimised configuration for the binary, the tests and the benchmarks. Tests run optimised
# (the numerical ones are 5-10x faster) with -enable-testing for the few that use @testable.
BUILD_FLAGS := -c release -Xswiftc -enable-testing
RELEASE_BIN := .build/release/quench
REFERENCE_BENCH := .build/sgemm-reference
# Seconds each fuzz target runs: `make fuzz FUZZ_SECONDS=600`; the CI smoke runs each a few seconds.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5

.PHONY: setup build test bench demo fuzz fuzz-smoke interop clean

setup:
	@scripts/install-system-packages.sh
	@scripts/install-python-tools.sh
	@scripts/fetch-demo-model.sh

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

# The suites that start MPI ranks or a Slurm cluster run after the others, one at a time: each keeps a
# test thread waiting for minutes, and beside the rest they would starve the short time-limited tests
# of the few threads Swift's test runner has on a small machine.
MULTIPROCESS_TESTS := MPIGroupTests|LaunchedCopiesTests|UIBrowserTests|OverlappedGradientSumMPITests|Distributed(Train|Fault|Bundle)Tests|RankedTrainTests|BenchTrainRanksTests|DispatchSlurmTests

test: setup
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	$(SWIFT) test $(BUILD_FLAGS) --skip-build --skip '$(MULTIPROCESS_TESTS)'
	$(SWIFT) test $(BUILD_FLAGS) --skip-build --no-parallel --filter '$(MULTIPROCESS_TESTS)'

# sgemm and kernel timings on a release build, task-set generation at batch 1 and 8, then sgemm from
# plain C at the same shapes.
bench: build
	$(RELEASE_BIN) bench kernels
	$(RELEASE_BIN) bench forward
	$(RELEASE_BIN) bench generate
	@mkdir -p .build
	$(CC) -O2 scripts/sgemm_reference.c -o $(REFERENCE_BENCH) -lblas
	$(REFERENCE_BENCH)

# The quickstart end to end on the real model, against a registry server: scripts/demo.sh starts
# `quench registry serve` on loopback with a throwaway home and two identities (runner: trainer,
# approver), runs a job whose gate fails (exit 3 expected there) and the quickstart as the runner:
# fetch and verify the pinned demo model, scan the data, LoRA-tune, evaluate base and tuned, pass the
# gate, upload and register (pending approval). It shows the server refusing the runner's own
# approval and prints the approver's exact commands; the server keeps running for them.
demo: build
	scripts/demo.sh

# libFuzzer (with AddressSanitizer) on every parser a user's file reaches, FUZZ_SECONDS per target, in
# its own build folder (.build-fuzz); prints executions and findings per target, fails on any finding.
fuzz: setup
	scripts/fuzz.sh build
	scripts/fuzz.sh run $(FUZZ_SECONDS)

fuzz-smoke: setup
	scripts/fuzz.sh build
	scripts/fuzz.sh run $(FUZZ_SMOKE_SECONDS)

# The real Python tools against Quench's files, never in `make test`: PEFT adapters of every variant both
# ways, imported and merged models in transformers, tiny models of every architecture and config option,
# per-token NLL and GGUF exports (scripts/interop/run.py): one PASS or FAIL line per check with the measured
# difference and its tolerance; fails on any FAIL. The tools go into a venv outside the repository, created
# the first time (PyPI's torch: about 6 GB, a few minutes); QUENCH_INTEROP_VENV=/tmp/quench-peer-venv
# reuses the peers' venv when it has the pinned versions (scripts/interop/requirements.txt).
QUENCH_INTEROP_VENV ?= $(HOME)/.cache/quench/interop-venv
interop: build
	scripts/interop/setup-venv.sh $(QUENCH_INTEROP_VENV)
	$(QUENCH_INTEROP_VENV)/bin/python scripts/interop/run.py --quench $(RELEASE_BIN)

clean:
	$(SWIFT) package clean
