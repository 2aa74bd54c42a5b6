"""A run SIGKILLed at every point between a publish's file operations (links, rewrites, new
files, state, validation, the DuckDB file, the move into releases/, the symlink swap) leaves the
previous release or the next one, never a mix; the run after it completes the warehouse to the
one-go build of the same files. Real `newsflow run` processes (procs.py).

The runs go from a warehouse whose captions, rejects and duplicate links are empty to one where
they are not, and replace a changed file's rows, so that each kill point has work around it
(tests/flows/pool.py); issue 26 was a rerun that could never publish after such a run."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from flows.adapters.faults import KILL_POINTS
from tests.flows.pool import Run, written
from tests.reliability.procs import content, copy_warehouse, fingerprint, newsflow, run_args

pytestmark = pytest.mark.slow

# bridge.txt gains its caption (its rows are replaced), repost.txt copies council.txt, late.txt
# is empty
BEFORE: Run = {"weather.txt": 0, "council.txt": 0, "bridge.txt": 1}
AFTER: Run = {**BEFORE, "bridge.txt": 0, "repost.txt": 0, "late.txt": 0}
# where the run has swapped `current`: the new release is the warehouse from there on
AFTER_SWAP = ("swapped", "published")


def warehouse(root: Path, runs: list[Run], env: dict[str, str]) -> Path:
    wh = root / "wh"
    for files in runs:
        written(root / "seeds", files)
        done = newsflow(run_args(root / "seeds", wh), env)
        assert done.returncode == 0, done.stderr[-3000:]
    return wh


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory, shared_env: dict[str, str]) -> Path:
    return warehouse(tmp_path_factory.mktemp("before"), [BEFORE], shared_env)


@pytest.fixture(scope="module")
def after(tmp_path_factory: pytest.TempPathFactory, shared_env: dict[str, str],
          before: Path) -> dict[str, Any]:
    """The next release, as an uninterrupted run makes it from the previous one."""
    root = tmp_path_factory.mktemp("after")
    copy_warehouse(before, root / "wh")
    return content(warehouse(root, [AFTER], shared_env))


@pytest.fixture(scope="module")
def one_go(tmp_path_factory: pytest.TempPathFactory, shared_env: dict[str, str]) \
        -> dict[str, Any]:
    return content(warehouse(tmp_path_factory.mktemp("one_go"), [AFTER], shared_env))


def readable(wh: Path) -> dict[str, Any]:
    """What readers see of a warehouse: `current`, its Parquet files and its tables, the run
    history aside (a copied warehouse's views are rebuilt with its own run records)."""
    seen = fingerprint(wh)
    return {**seen, "tables": {k: v for k, v in seen["tables"].items() if k != "runs"}}


def test_the_runs_fill_tables_that_were_empty(before: Path, after: dict[str, Any]) -> None:
    was = content(before)["tables"]
    for table in ("captions", "rejects", "duplicate_links"):
        assert was[table] == [] and after["tables"][table] != [], table


def test_the_next_release_equals_one_go(after: dict[str, Any], one_go: dict[str, Any]) -> None:
    assert after["tables"] == one_go["tables"]


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_kill_leaves_one_release_and_the_next_run_completes_it(
        tmp_path: Path, shared_env: dict[str, str], before: Path, after: dict[str, Any],
        one_go: dict[str, Any], point: str) -> None:
    wh = tmp_path / "wh"
    copy_warehouse(before, wh)
    seeds = tmp_path / "seeds"
    written(seeds, AFTER)
    killed = newsflow(run_args(seeds, wh), {**shared_env, "NEWSFLOW_KILL_AT": point})
    assert killed.returncode == -signal.SIGKILL, (point, killed.stderr[-2000:])
    if point in AFTER_SWAP:
        assert content(wh)["tables"] == after["tables"], point
    else:
        assert readable(wh) == readable(before), point
    again = newsflow(run_args(seeds, wh), shared_env)
    assert again.returncode == 0, again.stderr[-3000:]
    status = again.stdout.splitlines()[0]  # "run <id>: succeeded in ..." or "...: unchanged"
    assert ("succeeded" in status) == (point not in AFTER_SWAP), again.stdout
    assert content(wh)["tables"] == one_go["tables"], point
    assert not list((wh / "staging").iterdir())
    releases = sorted(p.name for p in (wh / "releases").iterdir())
    assert len(releases) <= 3, releases  # kept for readers: the new one and the one before
    assert (wh / "current").resolve().name == releases[-1]
