"""End to end: one person, one id across articles, whether the corpus is run in one go or file
by file, and a superseded id kept with the id it merged into (real flow, GX, DuckDB, spaCy)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.run.entities import (
    NAMES_SCHEMA,
    next_corpus,
    resolved_identity,
    state_table,
)
from flows.run.launch import run
from flows.run.records import Settings
from tests.transforms.test_identity import SPLIT_ARTICLES
from transforms import schemas

FULL = ("Biden tours Ohio plants\n\nJoe Biden toured two factories in Ohio on Monday. "
        "“We will bring these jobs back,” Biden said. Biden spoke for an hour.\n")
SURNAME = ("Union leaders meet in Detroit\n\nUnion leaders met in Detroit on Tuesday. "
           "“Our members are ready,” Biden said. Biden thanked the workers.\n")


def _ids(warehouse: Path) -> tuple[dict[str, set[str]], list[tuple], list[tuple]]:
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    try:
        by_file: dict[str, set[str]] = {}
        for uri, eid in con.execute(
                "SELECT a.source_uri, e.entity_id FROM entities AS e JOIN articles AS a "
                "USING (article_id) WHERE list_contains(e.aliases, 'Biden')").fetchall():
            by_file.setdefault(Path(uri).name, set()).add(eid)
        speakers = con.execute("SELECT speaker_entity_id, speaker_name, quotes FROM speakers "
                               "WHERE speaker_name LIKE '%Biden%'").fetchall()
        superseded = con.execute("SELECT entity_id, merged_into FROM entity_ids "
                                 "WHERE merged_into IS NOT NULL").fetchall()
    finally:
        con.close()
    return by_file, speakers, superseded


def test_biden_and_joe_biden_are_one_id_in_one_go_and_incrementally(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "b_surname.txt").write_text(SURNAME, encoding="utf-8")
    (seeds / "a_full.txt").write_text(FULL, encoding="utf-8")
    summary = run(Settings(seeds=seeds, warehouse=tmp_path / "one"))
    assert summary.status == "succeeded"
    one_go, speakers, _ = _ids(tmp_path / "one")
    assert_validation_read_the_views(tmp_path / "one", summary.validation)
    assert len(one_go) == 2 and len(set.union(*one_go.values())) == 1
    (biden,) = set.union(*one_go.values())
    # the speakers mart lists him once, with the quotes of both articles
    assert [(s[0], s[1]) for s in speakers] == [(biden, "Joe Biden")] and speakers[0][2] == 2

    # incrementally: the surname alone first, then the full name arrives
    later = tmp_path / "later"
    later.mkdir()
    (later / "b_surname.txt").write_text(SURNAME, encoding="utf-8")
    assert run(Settings(seeds=later, warehouse=tmp_path / "inc")).status == "succeeded"
    (first_id,) = _ids(tmp_path / "inc")[0]["b_surname.txt"]
    assert first_id != biden
    (later / "a_full.txt").write_text(FULL, encoding="utf-8")
    assert run(Settings(seeds=later, warehouse=tmp_path / "inc")).status == "succeeded"
    incremental, speakers, superseded = _ids(tmp_path / "inc")
    assert incremental == one_go  # the old article's rows resolve anew where they are read
    assert [(s[0], s[1]) for s in speakers] == [(biden, "Joe Biden")]
    assert (first_id, biden) in superseded  # a saved query on the old id still finds him


def assert_validation_read_the_views(warehouse: Path, validation: str) -> None:
    """The run validated the rows readers read: as many entity rows as the entities view
    gives, where two rows of an article that are one corpus entity are one row."""
    con = duckdb.connect(str(warehouse / "news.duckdb"), read_only=True)
    try:
        (view,), (stored,) = (con.execute(f"SELECT count(*) FROM {t}").fetchone() or (0,)
                              for t in ("entities", "raw.entities"))
    finally:
        con.close()
    assert re.search(rf"entities: (\d+)/\1 expectations passed \({view} rows\)", validation), \
        (validation, stored)


# --- the publish step alone, over simulated releases (no model: fast, many splits) ----------

def _table(rows: list[dict]) -> pa.Table:
    full = [{"source_uri": "file:///x", "content_sha256": "0", "published_month": "unknown",
             **r} for r in rows]
    return pa.Table.from_pylist(full, schema=schemas.ENTITIES)


def _publish(state: pa.Table, removed: list[dict], added: list[dict], previous: pa.Table,
             ) -> tuple[pa.Table, pa.Table, tuple[list[tuple[str, str]], list[str]]]:
    """One publish of the identity step from the previous state: the next state, its
    entity_ids rows, and what the views resolve rows with (the id map, current entity_ids
    rows)."""
    corpus = next_corpus(state, _table(removed), iter(_table(added).to_batches()))
    ident = resolved_identity(corpus, previous)
    current = [repr(sorted(r.items())) for r in ident.table.to_pylist() if not r["merged_into"]]
    return state_table(corpus), ident.table, (sorted(ident.ids.items()), sorted(current))


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(SPLIT_ARTICLES))),
       st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True),
       st.integers(0, len(SPLIT_ARTICLES) - 1))
def test_publishing_in_runs_equals_one_go(order: list[int], cuts: list[int],
                                          replaced: int) -> None:
    """Each publish starts from the previous release's state, adds its run's articles and
    subtracts one it replaces (taken out, then back in a later run): the state and everything
    resolved from it equal one go. The previous entity_ids come in only as history."""
    articles = [SPLIT_ARTICLES[i] for i in order]
    bounds = [0, *sorted(c for c in cuts if c < len(articles)), len(articles)]
    state, ids = NAMES_EMPTY, IDS_EMPTY
    every = [r for a in SPLIT_ARTICLES for r in a]
    gone = SPLIT_ARTICLES[replaced]
    for n, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        added = [r for article in articles[a:b] for r in article]
        removed = gone if n == 1 and gone in articles[:a] else []
        if removed:  # replaced: out with this run, back in with the same rows
            added += removed
        state, ids, published = _publish(state, removed, added, ids)
    one_state, _, one_go = _publish(NAMES_EMPTY, [], every, IDS_EMPTY)
    assert published == one_go
    assert state.equals(one_state)


def test_an_article_taken_out_leaves_no_trace_in_the_state() -> None:
    first, second = SPLIT_ARTICLES[0], SPLIT_ARTICLES[1]
    both, *_ = _publish(NAMES_EMPTY, [], [*first, *second], IDS_EMPTY)
    after, *_ = _publish(both, second, [], IDS_EMPTY)
    only, *_ = _publish(NAMES_EMPTY, [], first, IDS_EMPTY)
    assert after.equals(only)
    assert not _publish(after, first, [], IDS_EMPTY)[0].num_rows


NAMES_EMPTY = NAMES_SCHEMA.empty_table()
IDS_EMPTY = schemas.ENTITY_IDS.empty_table()


def test_validation_reads_the_views_a_few_articles_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of whole shards (one article each here): every chunk's rows are read through the
    staged news.duckdb's views, the corpus tables with the first; the run still publishes."""
    from flows.adapters import release

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in (("a.txt", FULL), ("b.txt", SURNAME), ("c.txt", SURNAME + "\nMore.\n")):
        (seeds / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(release, "VALIDATION_CHUNK", 1)
    summary = run(Settings(seeds=seeds, warehouse=tmp_path / "wh", shard_docs=1))
    assert summary.status == "succeeded", summary.failures
    assert summary.validation.startswith("3 chunks of up to 1 articles; all expectations passed")
    assert not any(p.is_symlink() for p in (tmp_path / "wh" / "releases").iterdir())
