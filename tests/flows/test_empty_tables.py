"""A table that was empty can grow, and a table that grew can go back to empty, across runs: any
sequence of runs ends equal to the one-go build of the same files, row for row, in every table
and view (history aside). Real flow runs, GX, DuckDB and spaCy.

The runs are drawn from tests/flows/pool.py, whose files fill each table (captions, quotes,
claims, entities, rejects, duplicate links, articles) in some runs and leave it empty in
others. A run whose first publish had no captions used to stop every later run (issue 26):
an empty dataset's placeholder file was carried beside the next run's partition folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flows.adapters import datasets
from flows.run.launch import run
from flows.run.records import Settings
from tests.flows.pool import VERSIONS, Run, final_set, written
from tests.flows.relations import relations

pytestmark = pytest.mark.slow

TABLES = ("articles", "captions", "quotes", "entities", "claims", "rejects", "duplicate_links")


def built(root: Path, runs: list[Run]) -> tuple[dict[str, list[str]], list[dict[str, int]]]:
    """The warehouse's relations after the runs, and each run's rows per table."""
    counts = []
    for files in runs:
        written(root / "seeds", files)
        summary = run(Settings(seeds=root / "seeds", warehouse=root / "wh"))
        # "unchanged": the run wrote what the folder already held
        assert summary.status in ("succeeded", "unchanged"), (files, summary.status,
                                                              summary.error)
        counts.append(table_counts(root / "wh"))
    return relations(root / "wh"), counts


def table_counts(wh: Path) -> dict[str, int]:
    con = duckdb.connect(str(wh / "news.duckdb"), read_only=True)
    try:
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
                for t in TABLES}
    finally:
        con.close()


def one_go(files: Run, cache: dict[tuple[tuple[str, int], ...], dict[str, list[str]]]) \
        -> dict[str, list[str]]:
    key = tuple(sorted(files.items()))
    if key not in cache:
        with tempfile.TemporaryDirectory() as tmp:
            cache[key] = built(Path(tmp), [files])[0]
    return cache[key]


def differing(got: dict[str, list[str]], want: dict[str, list[str]]) -> dict[str, tuple[int, int]]:
    assert got.keys() == want.keys()
    return {name: (len(want[name]), len(got[name])) for name in want if got[name] != want[name]}


run_of = st.dictionaries(st.sampled_from(sorted(VERSIONS)), st.integers(0, 1),
                         min_size=1, max_size=3).map(
    lambda r: {name: v % len(VERSIONS[name]) for name, v in r.items()})
ONE_GO: dict[tuple[tuple[str, int], ...], dict[str, list[str]]] = {}


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(run_of, min_size=2, max_size=5))
def test_any_runs_equal_one_go_whatever_was_empty(runs: list[Run]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        got, _ = built(Path(tmp), runs)
    assert not differing(got, one_go(final_set(runs), ONE_GO)), runs


# Sequences chosen so that every table is empty at one publish and filled at another, in both
# directions (a few hypothesis examples may not draw each), with the rows each run must leave.
GROW_AND_SHRINK = {
    "all_tables": (
        # a reject alone; every table fills; captions and links empty out; rejects empty out
        [{"late.txt": 0}, {n: 0 for n in VERSIONS if n != "late.txt"},
         {"bridge.txt": 1, "council.txt": 1}, {"late.txt": 1, "bridge.txt": 0}],
        {"articles": [0, 4, 4, 5], "captions": [0, 1, 0, 2], "rejects": [1, 1, 1, 0],
         "duplicate_links": [0, 1, 0, 0]}),
    "people_later": (
        # an article with no quote, claim or entity; then they arrive
        [{"weather.txt": 0}, {"council.txt": 0}],
        {"quotes": [0, 2], "claims": [0, 3], "entities": [0, 3]}),
}


@pytest.mark.parametrize("name", sorted(GROW_AND_SHRINK))
def test_tables_grow_from_empty_and_shrink_back(tmp_path: Path, name: str) -> None:
    runs, expected = GROW_AND_SHRINK[name]
    got, counts = built(tmp_path, runs)
    assert not differing(got, one_go(final_set(runs), ONE_GO))
    seen = {table: [c[table] for c in counts] for table in expected}
    assert {t: v[0] for t, v in seen.items()} == {t: v[0] for t, v in expected.items()}
    assert all(max(v) > 0 for v in seen.values()), seen
    if name == "all_tables":  # rows the pool's files give, counted by hand
        assert seen == expected


def test_an_empty_dataset_never_sits_beside_partition_folders(tmp_path: Path) -> None:
    """The Parquet of a release: a placeholder only where the dataset has no rows."""
    built(tmp_path, [{"weather.txt": 0}, {"bridge.txt": 0}, {"bridge.txt": 1}])
    captions = tmp_path / "wh" / "current" / "parquet" / "captions"
    assert [f.relative_to(captions).as_posix() for f in datasets.parquet_files(captions)] == \
        [datasets.PLACEHOLDER]  # bridge.txt lost its caption: empty again
    quotes = tmp_path / "wh" / "current" / "parquet" / "quotes"
    assert datasets.parquet_files(quotes) == [quotes / datasets.PLACEHOLDER]
    articles = tmp_path / "wh" / "current" / "parquet" / "articles"
    assert all(f.parent != articles for f in datasets.parquet_files(articles))
