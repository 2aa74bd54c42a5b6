# Two commands a user needs: `make run` builds the warehouse from seeds/, `make test` runs the
# tests. Each installs what it needs on first use, pinned by uv.lock (hashes included).
UV_VERSION := 0.13.8
UV := $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
RUN := $(UV) run --frozen

.PHONY: run test lint bench eval setup

$(UV):
	python3 -m pip install --user --quiet "uv==$(UV_VERSION)"

setup: $(UV)
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
