# Quench: `make demo` runs the main job, `make test` builds and runs every test.
# Both install what is missing first (`make setup`: Debian packages, and the demo model into
# ~/.cache/quench/models, outside the repository).

SWIFT ?= swift
RELEASE_BIN := .build/release/quench
REFERENCE_BENCH := .build/sgemm-reference

.PHONY: setup build release test bench demo clean

setup:
	@scripts/install-system-packages.sh
	@scripts/fetch-demo-model.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release

test: setup
	$(SWIFT) build --build-tests
	$(SWIFT) test

# sgemm and kernel timings on a release build, then sgemm from plain C at the same shapes.
bench: release
	$(RELEASE_BIN) bench kernels
	@mkdir -p .build
	$(CC) -O2 scripts/sgemm_reference.c -o $(REFERENCE_BENCH) -lblas
	$(REFERENCE_BENCH)

# Until the job runner lands, the demo is the kernel benchmark.
demo: release
	$(RELEASE_BIN) bench kernels

clean:
	$(SWIFT) package clean
