"""End to end: one person, one id across articles, whether the corpus is run in one go or file
by file, and a superseded id kept with the id it merged into (real flow, GX, DuckDB, spaCy)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flows.run.entities import resolved_identity, stage_ids
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
    assert run(Settings(seeds=seeds, warehouse=tmp_path / "one")).status == "succeeded"
    one_go, speakers, _ = _ids(tmp_path / "one")
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
    assert incremental == one_go  # the old article's rows were rewritten at this publish
    assert [(s[0], s[1]) for s in speakers] == [(biden, "Joe Biden")]
    assert (first_id, biden) in superseded  # a saved query on the old id still finds him


# --- the publish step alone, over simulated releases (no model: fast, many splits) ----------

def _batches(rows: list[dict]) -> list[pa.RecordBatch]:
    full = [{"source_uri": "file:///x", "content_sha256": "0", "published_month": "unknown",
             **r} for r in rows]
    return pa.Table.from_pylist(full, schema=schemas.ENTITIES).to_batches()


def _publish(rows: list[dict], previous: Path | None, out: Path) -> tuple[list[str], list[str]]:
    """One publish of the identity step: rewritten entity rows and current entity_ids rows."""
    ident = resolved_identity(iter(_batches(rows)), previous)
    stage_ids(out, ident.table)
    entities = [repr(sorted(r.items())) for b in ident.rewritten("entities", iter(_batches(rows)))
                for r in b.to_pylist()]
    current = [repr(sorted(r.items())) for r in ident.table.to_pylist() if not r["merged_into"]]
    return sorted(entities), sorted(current)


@settings(max_examples=40, deadline=None)
@given(st.permutations(range(len(SPLIT_ARTICLES))),
       st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
def test_publishing_in_runs_equals_one_go(tmp_path_factory: pytest.TempPathFactory,
                                          order: list[int], cuts: list[int]) -> None:
    """The previous release's entity_ids come in at each publish, but only as history."""
    root = tmp_path_factory.mktemp("releases")
    articles = [SPLIT_ARTICLES[i] for i in order]
    bounds = [0, *sorted(c for c in cuts if c < len(articles)), len(articles)]
    extracted: list[dict] = []
    previous = None
    for n, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        extracted += [r for article in articles[a:b] for r in article]
        published = _publish(extracted, previous, root / str(n))
        previous = root / str(n)
    one_go = _publish([r for a in SPLIT_ARTICLES for r in a], None, root / "one")
    assert published == one_go
