"""Shared fixtures. Tests marked `corpus` need ../shared/corpora (PolNeAR): a user's clone may
not have it, so they are skipped there with the reason; CI sets NEWSFLOW_REQUIRE_CORPUS=1 so
a missing corpus fails instead of silently skipping.

`seed_run` is one real run (Prefect flow, spaCy, GX, DuckDB) over seeds/, made once per test
session (once per xdist worker) and shared by every test that only reads its warehouse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POLNEAR = ROOT.parent / "shared" / "corpora" / "polnear"
SEEDS = ROOT / "seeds"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if POLNEAR.exists():
        return
    if os.environ.get("NEWSFLOW_REQUIRE_CORPUS"):
        raise pytest.UsageError(f"NEWSFLOW_REQUIRE_CORPUS is set but {POLNEAR} is missing")
    skip = pytest.mark.skip(reason=f"PolNeAR corpus not found at {POLNEAR}")
    for item in items:
        if "corpus" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def polnear_dir() -> Path:
    return POLNEAR


@pytest.fixture(scope="session")
def nlp():  # type: ignore[no-untyped-def]
    from flows.adapters.nlp import load

    return load()


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(settings, summary) of a real `newsflow run` over seeds/; read its warehouse only."""
    from flows.run.launch import run
    from flows.run.records import Settings

    settings = Settings(seeds=SEEDS, warehouse=tmp_path_factory.mktemp("seed_run") / "wh")
    summary = run(settings)
    assert summary.status == "succeeded", summary
    return settings, summary
