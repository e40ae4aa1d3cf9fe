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

.PHONY: setup build test bench demo fuzz fuzz-smoke clean

setup:
	@scripts/install-system-packages.sh
	@scripts/install-python-tools.sh
	@scripts/fetch-demo-model.sh

build: setup
	$(SWIFT) build $(BUILD_FLAGS)

test: setup
	$(SWIFT) build $(BUILD_FLAGS) --build-tests
	$(SWIFT) test $(BUILD_FLAGS) --skip-build

# sgemm and kernel timings on a release build, then sgemm from plain C at the same shapes.
bench: build
	$(RELEASE_BIN) bench kernels
	$(RELEASE_BIN) bench forward
	@mkdir -p .build
	$(CC) -O2 scripts/sgemm_reference.c -o $(REFERENCE_BENCH) -lblas
	$(REFERENCE_BENCH)

# The quickstart end to end on the real model: fetch and verify the pinned demo model, scan the data,
# LoRA-tune it, evaluate base and tuned, pass the gate, sign, register (pending approval), report.
# First a job whose gate fails, to show a rejection and its reason (exit code 3 is expected there);
# the demo ends with the quickstart's summary: the commands to approve and promote the new version.
# The pipeline registers as the quench-runner service account (configs/registry.yaml).
demo: build
	QUENCH_ACTOR=quench-runner $(RELEASE_BIN) run jobs/smollm2-135m_lora_gate-fail.yaml; test $$? -eq 3
	QUENCH_ACTOR=quench-runner $(RELEASE_BIN) run jobs/smollm2-135m_lora_quickstart.yaml

# libFuzzer (with AddressSanitizer) on every parser a user's file reaches, FUZZ_SECONDS per target, in
# its own build folder (.build-fuzz); prints executions and findings per target, fails on any finding.
fuzz: setup
	scripts/fuzz.sh build
	scripts/fuzz.sh run $(FUZZ_SECONDS)

fuzz-smoke: setup
	scripts/fuzz.sh build
	scripts/fuzz.sh run $(FUZZ_SMOKE_SECONDS)

clean:
	$(SWIFT) package clean
