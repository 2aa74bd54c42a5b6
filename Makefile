# Two commands a user needs: `make run` builds the warehouse from seeds/, `make test` runs the
# tests. Each installs what it needs on first use, pinned by uv.lock (hashes included).
# `make test` is the fast suite (no process-level or corpus tests: still real runs, fewer);
# `make test-all` is everything, as CI runs it. Both run on every core (pytest-xdist), each
# file's tests on one worker, so that a module's shared runs are made once (--dist loadfile;
# loadgroup would be finer, but it silently stops grouping with pytest 9.2: pytest-xdist#1386).
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen

.PHONY: run test test-all lint bench eval setup

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --compile-bytecode

run: setup
	$(RUN) newsflow run

PYTEST := $(RUN) pytest -n auto --dist loadfile

test: setup
	$(PYTEST) -m "not slow and not corpus"

test-all: setup
	$(PYTEST)

lint: setup
	$(RUN) ruff check .
	$(RUN) mypy

eval: setup
	$(RUN) newsflow eval ../shared/corpora/polnear/dev

bench: setup
	$(RUN) python bench/benchmark.py
