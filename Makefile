# Quench: `make demo` runs the main job, `make test` builds and runs every test.
# Both install what is missing first (`make setup`: Debian packages, and the demo model into
# ~/.cache/quench/models, outside the repository).

SWIFT ?= swift
# One optimised configuration for the binary, the tests and the benchmarks. Tests run optimised
# (the numerical ones are 5-10x faster) with -enable-testing for the few that use @testable.
BUILD_FLAGS := -c release -Xswiftc -enable-testing
RELEASE_BIN := .build/release/quench
REFERENCE_BENCH := .build/sgemm-reference

.PHONY: setup build test bench demo clean

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

# Until the job runner lands, the demo walks the main path by hand on the real model: inspect it,
# LoRA-tune it on a small chat set, merge the adapter, ask the merged model, then the kernel benchmark.
DEMO_RUN := runs/smollm2-135m_lora_quickstart
demo: build
	$(RELEASE_BIN) inspect
	rm -rf $(DEMO_RUN) runs/demo-merged
	$(RELEASE_BIN) train jobs/smollm2-135m_lora_quickstart.yaml
	$(RELEASE_BIN) merge --adapter $(DEMO_RUN)/adapter --out runs/demo-merged
	$(RELEASE_BIN) generate --model runs/demo-merged --chat --max-tokens 32 --prompt "Convert 25 degrees Celsius to Fahrenheit."
	$(RELEASE_BIN) bench kernels

clean:
	$(SWIFT) package clean
