# Two commands a user needs: `make run` builds the warehouse from seeds/, `make test` runs the
# tests. Each installs what it needs on first use, pinned by uv.lock (hashes included).
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen

.PHONY: run test lint bench eval setup

setup:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --compile-bytecode

run: setup
	$(RUN) newsflow run

test: setup
	$(RUN) pytest

lint: setup
	$(RUN) ruff check .
	$(RUN) mypy

eval: setup
	$(RUN) newsflow eval ../shared/corpora/polnear/dev

bench: setup
	$(RUN) python bench/benchmark.py
