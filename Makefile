# mixout: the user interface. Every target sets up what it needs (venv with torch, build),
# so on a fresh machine `make reproduce-rte` or `make test` is the first command to type.
#
# libtorch: tch 0.24 / rust-bert 0.23 need libtorch 2.11.0. We take it from PyPI's
# torch==2.11.0 in a venv at $(MIXOUT_VENV) (outside the clone; reused by every clone).
# To use your own libtorch instead: `make build LIBTORCH=/path/to/libtorch` (it must be 2.11.x),
# or MIXOUT_VENV=/path/to/a/venv-with-torch-2.11.0. PyPI's wheel is the CUDA 13 build (driver
# >= 580); for an older driver: `make setup TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128`.

SHELL := /bin/bash
MIXOUT_VENV ?= $(HOME)/.cache/mixout/venv-torch-2.11.0
CARGO_TARGET_DIR ?= $(CURDIR)/target
PROFILE ?= cpu
TASK ?= rte
RESULTS ?= results
PLOTS ?= plots
JOBS ?= 1
TORCH_INDEX_URL ?=
export CARGO_TARGET_DIR

ifdef LIBTORCH
  TORCH_ENV := LIBTORCH=$(LIBTORCH)
  VENV_DEP :=
else
  TORCH_ENV := LIBTORCH_USE_PYTORCH=1 PATH="$(MIXOUT_VENV)/bin:$$PATH"
  VENV_DEP := $(MIXOUT_VENV)/.torch-2.11.0-pyarrow
endif
CARGO := $(TORCH_ENV) cargo
BIN := $(CARGO_TARGET_DIR)/release/mixout

.PHONY: all setup setup-system build test test-fast test-slurm reproduce-rte reproduce-methods report bench doctor clean help
all: build

help:
	@echo "make reproduce-rte   run the paper's RTE study (PROFILE=cpu|paper) and write the report"
	@echo "make test            run the test suite"
	@echo "make bench           benchmarks (our step vs PyTorch+transformers, mixout overhead)"
	@echo "make reproduce-methods  mixout beside re-init, LLRD and bias correction (PROFILE=cpu|paper)"
	@echo "make doctor          what the binary will train on (libtorch, GPUs, driver, assets)"
	@echo "make setup | build | clean | test-slurm"

# setup: the torch venv (libtorch, and pyarrow for the tests' parquet files), then the programs
# the suite needs beyond the README's requirements (Chromium for the report's browser test).
setup: $(VENV_DEP) setup-system

setup-system:
	@bash scripts/setup-system.sh

$(MIXOUT_VENV)/.torch-2.11.0-pyarrow:
	MIXOUT_VENV=$(MIXOUT_VENV) TORCH_INDEX_URL=$(TORCH_INDEX_URL) bash scripts/setup-venv.sh
	@touch $@

build: $(VENV_DEP)
	$(CARGO) build --release --workspace --bins

# The system check comes first, so a missing Chromium stops before a long build.
test: setup-system build
	MIXOUT_VENV=$(MIXOUT_VENV) $(CARGO) test --release --workspace

reproduce-rte: build
	$(BIN) run experiments/$(TASK)/$(PROFILE).yaml --results $(RESULTS) --jobs $(JOBS)
	$(BIN) report $(RESULTS)/$$($(BIN) check experiments/$(TASK)/$(PROFILE).yaml --name-only) --out $(PLOTS)/$(TASK)-$(PROFILE)
	@echo "report: $(PLOTS)/$(TASK)-$(PROFILE)/index.html (figures and summary.md beside it)"

# Mixout beside re-initialisation, LLRD and bias correction (experiments/methods/).
reproduce-methods: build
	$(BIN) run experiments/methods/rte-$(PROFILE).yaml --results $(RESULTS) --jobs $(JOBS)
	$(BIN) report $(RESULTS)/$$($(BIN) check experiments/methods/rte-$(PROFILE).yaml --name-only) --out $(PLOTS)/methods-rte-$(PROFILE)
	@echo "report: $(PLOTS)/methods-rte-$(PROFILE)/index.html (figures and summary.md beside it)"

bench: build
	MIXOUT_VENV=$(MIXOUT_VENV) bash bench/run.sh

doctor: build
	$(BIN) doctor

test-slurm: build
	bash scripts/test-slurm.sh

clean:
	cargo clean
